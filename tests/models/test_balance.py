"""What an account owes: the unpaid part of its open statements, from loaded rows or the database."""

from __future__ import annotations

from models.billing.balance import balance_of, owed, unpaid
from models.billing.models import Statement, StatementStatus
from tests.billing_support import issue
from tests.support import make_account


def _statement(due: int, paid: int, status: StatementStatus = StatementStatus.OPEN) -> Statement:
    return Statement(amount_due=due, amount_paid=paid, status=status)


def test_owed_is_the_unpaid_part_of_the_open_statements() -> None:
    # given
    part_paid = _statement(5000, 1500)
    settled = _statement(2000, 2000, StatementStatus.PAID)
    fully_paid_open = _statement(3000, 3000)
    untouched = _statement(1200, 0)
    statements = [part_paid, settled, fully_paid_open, untouched]
    # when
    balance = owed(statements)
    left = unpaid(statements)
    # then
    assert balance == 3500 + 1200
    assert left == [part_paid, untouched]
    assert owed([]) == 0


async def test_balance_of_reads_the_accounts_open_statements() -> None:
    # given
    account = await make_account()
    other = await make_account(name="The Joneses")
    first = await issue(account, 4000)
    await issue(account, 2500)
    await issue(other, 9900)
    await Statement.filter(id=first.id).update(amount_paid=1000)
    # when
    balance = await balance_of(account.id)
    # then
    assert balance == 3000 + 2500
