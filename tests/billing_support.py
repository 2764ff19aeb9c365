"""Billing test helpers: cards from sandbox tokens, statements, members who may pay."""

from __future__ import annotations

from datetime import timedelta

import httpx

from models.access import Permission, Role
from models.accounts.models import Account
from models.billing.methods import save_method
from models.billing.models import PaymentMethod, Statement
from models.billing.processor import SandboxCharge, SandboxProcessor
from models.billing.statements import account_today, issue_statement
from tests.support import make_account, make_member, sign_in, step_up


async def add_card(account: Account, token: str = "tok_visa", *, default: bool = True) -> PaymentMethod:
    """A saved payment method for a sandbox token (a card or, for btok_checking, a bank account)."""
    details = SandboxProcessor().describe(token)
    assert details is not None, token
    return await save_method(account.id, token, details, default=default)


async def issue(account: Account, amount: int, description: str = "Internet - Gig plan") -> Statement:
    """A new OPEN statement of `amount` cents; each call bills an earlier, still unbilled period."""
    earlier = await Statement.filter(account_id=account.id).count()
    start = account_today(account) - timedelta(days=31 * earlier)
    return await issue_statement(account, amount=amount, description=description, period_start=start)


async def sandbox_charges(account: Account | None = None) -> list[SandboxCharge]:
    """The sandbox processor's ledger (of one account's payments, when given)."""
    query = SandboxCharge.all().order_by("id")
    if account is not None:
        query = query.filter(idempotency_key__startswith=f"{account.id}:")
    return await query


async def billing_session(
    client: httpx.AsyncClient,
    *,
    role: Role = Role.PRIMARY,
    grants: tuple[Permission, ...] = (),
    stepped_up: bool = False,
) -> tuple[Account, str]:
    """An account with one member signed in (a PRIMARY unless told), and the session token."""
    account = await make_account()
    member = await make_member(account, "alice", role=role, grants=grants)
    token = await sign_in(client, "alice")
    if stepped_up:
        await step_up(client, token, member.email)
    return account, token
