"""Issuing statements: a due date sets the period, one-off charges go beside the period's regular
statement once per key, and the daily run still bills each period once."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from models.access import Role
from models.accounts.models import Account
from models.billing.cycle import issue_due_statements
from models.billing.models import LineItem, Statement
from models.billing.statements import StatementKeyReused, issue_statement
from models.notify.outbox import OutboxMessage
from models.services.models import Service
from tests.support import make_account, make_member

TODAY = date(2030, 3, 10)


async def billed_account() -> Account:
    account = await make_account()
    await Account.filter(id=account.id).update(billing_day=TODAY.day)
    await make_member(account, "alice", role=Role.PRIMARY)
    await Service.create(account_id=account.id, kind="INTERNET", plan="Gig", monthly_price=7999)
    return await Account.get(id=account.id)


@pytest.mark.parametrize(
    ("due", "period"),
    [
        # the account's periods start on the 10th, as the daily run issues them
        (date(2025, 1, 15), (date(2025, 1, 10), date(2025, 2, 9))),
        (date(2025, 1, 10), (date(2024, 12, 10), date(2025, 1, 9))),
        (date(2025, 3, 1), (date(2025, 2, 10), date(2025, 3, 9))),
    ],
)
async def test_a_due_date_bills_the_billing_period_holding_the_day_before_it(
    due: date, period: tuple[date, date]
) -> None:
    # given
    account = await billed_account()
    # when
    statement = await issue_statement(account, due=due)
    again = await issue_statement(account, due=due)
    # then
    assert (statement.period_start, statement.period_end, statement.due_date) == (*period, due)
    assert again.id == statement.id
    assert await Statement.all().count() == 1


async def test_a_statement_issued_by_due_date_is_the_one_the_daily_run_would_issue() -> None:
    # given: the operator issued this period's statement by its due date before the daily run
    account = await billed_account()
    by_hand = await issue_statement(account, due=date(2030, 3, 31))
    # when: the daily run of the billing day
    issued = await issue_due_statements(TODAY)
    # then: nothing billed twice
    assert issued == 0
    assert [(s.id, s.period_start) for s in await Statement.filter(account_id=account.id)] == [
        (by_hand.id, TODAY)
    ]


async def test_the_daily_run_bills_the_period_even_after_a_one_off_charge_that_day() -> None:
    # given an installation charged on the billing day, before the daily run
    account = await billed_account()
    one_off = await issue_statement(account, amount=5000, description="Installation", period_start=TODAY)
    # when
    issued = [await issue_due_statements(TODAY) for _ in range(2)]
    # then the period's regular statement, once
    assert issued == [1, 0]
    statements = await Statement.filter(account_id=account.id).order_by("id")
    assert [(s.id, s.period_start, s.amount_due) for s in statements] == [
        (one_off.id, TODAY, 5000),
        (statements[1].id, TODAY, 7999),
    ]
    assert await OutboxMessage.filter(kind="STATEMENT_READY").count() == 2


async def test_a_key_returns_its_statement_and_refuses_another_charge() -> None:
    # given a one-off charge issued with a key
    account = await billed_account()
    regular = await issue_statement(account)
    due = date(2031, 1, 20)
    fee = await issue_statement(account, amount=1500, description="Late fee", key="fee-1", due=due)
    # when the same key comes again: as it was, without its due date, and for other charges
    same = await issue_statement(account, amount=1500, description="Late fee", key="fee-1", due=due)
    retried = await issue_statement(account, amount=1500, description="Late fee", key="fee-1")
    refused = []
    for other in (
        {"amount": 2500, "description": "Late fee", "due": due},
        {"amount": 1500, "description": "Router", "due": due},
        {"amount": 1500, "description": "Late fee", "due": date(2031, 2, 20)},
    ):
        with pytest.raises(StatementKeyReused) as raised:
            await issue_statement(account, key="fee-1", **other)  # type: ignore[arg-type]
        refused.append(str(raised.value))
    # then
    assert fee.id != regular.id
    assert same.id == retried.id == fee.id
    assert (
        refused
        == [
            "the key 'fee-1' already issued a statement of 1500 cents ('Late fee', due 2031-01-20);"
            " give another key for another charge"
        ]
        * 3
    )
    assert await Statement.all().count() == 2
    assert await LineItem.filter(statement_id=fee.id).values_list("description", flat=True) == ["Late fee"]


async def test_concurrent_issues_with_one_key_make_one_statement() -> None:
    # given
    account = await billed_account()
    # when
    statements = await asyncio.gather(
        *[issue_statement(account, amount=5000, description="Installation", key="install") for _ in range(5)]
    )
    # then
    assert len({statement.id for statement in statements}) == 1
    assert await Statement.all().count() == 1
    assert await OutboxMessage.filter(kind="STATEMENT_READY").count() == 1


async def test_a_key_goes_with_an_amount() -> None:
    account = await billed_account()
    with pytest.raises(ValueError, match="a key goes with an amount"):
        await issue_statement(account, key="k")
    assert await Statement.all().count() == 0
