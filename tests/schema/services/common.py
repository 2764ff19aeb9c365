"""Helpers of the services tests: a signed-in member, a metered service, valid appointment times."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx

from models.access import Permission, Role
from models.accounts.models import Account
from models.db.clock import utcnow
from models.members.models import Member
from models.services.models import Service
from tests.support import make_account, make_member, sign_in

# tests.support.make_account gives every account this time zone.
ZONE = ZoneInfo("America/Chicago")
GIGABYTE = 1_000_000_000


async def services_session(
    client: httpx.AsyncClient,
    *,
    role: Role = Role.PRIMARY,
    grants: tuple[Permission, ...] = (),
    account: Account | None = None,
    username: str = "jane",
) -> tuple[Account, Member, str]:
    """An account (new unless given), a member of `role` and a session token."""
    account = account or await make_account()
    member = await make_member(account, username, role=role, grants=grants)
    return account, member, await sign_in(client, username)


async def internet(account: Account, allowance: int | None = 1000 * GIGABYTE) -> Service:
    return await Service.create(
        account_id=account.id, kind="INTERNET", plan="Gig", monthly_price=7999, allowance_bytes=allowance
    )


def local_time(days_ahead: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in the accounts' time zone, `days_ahead` days from today there."""
    day = utcnow().astimezone(ZONE).date() + timedelta(days=days_ahead)
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)
