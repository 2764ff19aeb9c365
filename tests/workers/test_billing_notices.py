"""The daily billing notices: a statement that turns overdue and a saved card that expires within 30 days
are each told of once, to the members who view billing, however many workers run them and how often."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from gateway.settings import Settings
from models.access import Permission, Role
from models.accounts.models import Account
from models.billing import notices
from models.billing.messages import statement_overdue
from models.billing.models import PaymentMethod, Statement, StatementStatus
from models.billing.notices import send_card_expiry_reminders, send_overdue_notices
from models.db.clock import utcnow
from models.notify.outbox import OutboxMessage
from tests.billing_support import add_card, issue
from tests.support import make_account, make_member
from workers.billing import issue_statements_job
from workers.mail_html import html_body

URL = "http://portal.test"
TODAY = date(2034, 12, 1)  # tok_visa's card expires at the end of 12/2034: 30 days from today


async def household() -> int:
    """An account with a primary, a standard member who may view billing and one who may not."""
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    await make_member(account, "bob", grants=(Permission.VIEW_BILLING,))
    await make_member(account, "carol", grants=(Permission.PAY_BILLS,))
    return account.id


async def recipients(kind: str) -> list[str]:
    return sorted(m.recipient for m in await OutboxMessage.filter(kind=kind))


async def statement_due(account_id: int, amount: int, due: date) -> Statement:
    statement = await issue(await Account.get(id=account_id), amount)
    await Statement.filter(id=statement.id).update(due_date=due)
    return await Statement.get(id=statement.id)


async def test_an_overdue_statement_is_told_of_once_under_concurrency_and_reruns() -> None:
    # given: a statement due yesterday, one due today, a paid one and one overdue for weeks
    account_id = await household()
    overdue = await statement_due(account_id, 6500, TODAY - timedelta(days=1))
    await statement_due(account_id, 100, TODAY)
    paid = await statement_due(account_id, 200, TODAY - timedelta(days=2))
    await Statement.filter(id=paid.id).update(status=StatementStatus.PAID, amount_paid=200)
    await statement_due(account_id, 300, TODAY - timedelta(days=40))
    # when: five workers at once, then a re-run
    at_once = await asyncio.gather(*(send_overdue_notices(TODAY, URL) for _ in range(5)))
    rerun = await send_overdue_notices(TODAY, URL)
    # then
    assert sorted(at_once) == [0, 0, 0, 0, 1]
    assert rerun == 0
    assert await recipients("STATEMENT_OVERDUE") == ["alice@example.com", "bob@example.com"]
    # and tomorrow only the statement due today turns overdue
    assert await send_overdue_notices(TODAY + timedelta(days=1), URL) == 1
    assert await OutboxMessage.filter(kind="STATEMENT_OVERDUE").count() == 4
    message = await OutboxMessage.filter(kind="STATEMENT_OVERDUE").order_by("id").first()
    assert message is not None
    assert message.subject == "Your statement is overdue"
    assert f"$65.00 was due on {overdue.due_date.isoformat()}" in message.body
    assert f"\n{URL}/billing\n" in message.body
    assert "Go to Billing" in html_body(message.subject or "", message.body, URL)


async def test_a_statement_paid_after_the_run_read_it_is_not_told_of() -> None:
    # given: an overdue statement the run read as OPEN, paid before the run claims its notice
    account_id = await household()
    statement = await statement_due(account_id, 6500, TODAY - timedelta(days=1))
    await Statement.filter(id=statement.id).update(status=StatementStatus.PAID)
    text = statement_overdue(URL, 6500, statement.due_date)
    # when: the claim, as the run makes it
    sent = await notices._send_once(
        notices._CLAIM_STATEMENT, statement.id, "STATEMENT_OVERDUE", account_id, text
    )
    # then
    assert sent == 0
    assert await recipients("STATEMENT_OVERDUE") == []


async def test_a_card_is_reminded_of_once_30_days_before_it_expires() -> None:
    # given: a card that expires at the end of 12/2034, a removed one and a bank account
    account = await Account.get(id=await household())
    card = await add_card(account, "tok_visa")
    removed = await add_card(account, "tok_mastercard", default=False)
    await PaymentMethod.filter(id=removed.id).update(removed_at=utcnow())
    await add_card(account, "btok_checking", default=False)
    # when: the day before the window, five workers on its first day, and later days
    early = await send_card_expiry_reminders(TODAY - timedelta(days=1), URL)
    at_once = await asyncio.gather(*(send_card_expiry_reminders(TODAY, URL) for _ in range(5)))
    reruns = [await send_card_expiry_reminders(TODAY + timedelta(days=n), URL) for n in (0, 15, 30, 31)]
    # then
    assert early == 0
    assert sorted(at_once) == [0, 0, 0, 0, 1]
    assert reruns == [0, 0, 0, 0]
    assert await recipients("CARD_EXPIRING") == ["alice@example.com", "bob@example.com"]
    message = await OutboxMessage.filter(kind="CARD_EXPIRING").first()
    assert message is not None
    assert "Visa ending 4242 expires at the end of 12/2034" in message.body
    assert card.last4 == "4242"


async def test_the_daily_statement_job_sends_both(settings: Settings) -> None:
    # given
    account = await Account.get(id=await household())
    await add_card(account, "tok_visa")
    await statement_due(account.id, 6500, TODAY - timedelta(days=3))
    ctx = {"settings": settings}
    # when
    await asyncio.gather(*(issue_statements_job(ctx, TODAY.isoformat()) for _ in range(2)))
    await issue_statements_job(ctx, TODAY.isoformat())
    # then
    assert await recipients("STATEMENT_OVERDUE") == ["alice@example.com", "bob@example.com"]
    assert await recipients("CARD_EXPIRING") == ["alice@example.com", "bob@example.com"]
