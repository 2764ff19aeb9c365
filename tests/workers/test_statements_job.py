"""The billing jobs: the daily statement run issues each account's statement once on its billing day;
the autopay and reconciliation jobs run the same operations as the CLI; the crons are registered."""

from __future__ import annotations

from datetime import date

from gateway.settings import Settings
from models.access import Role
from models.accounts.models import Account
from models.billing.cycle import issue_due_statements
from models.billing.models import AutopayEnrollment, Payment, PaymentStatus, Statement
from models.notify.outbox import OutboxMessage
from models.services.models import Service
from tests.billing_support import add_card, sandbox_charges
from tests.support import make_account, make_member
from workers.billing import autopay_job, issue_statements_job, reconcile_payments_job
from workers.queue import Queue
from workers.runner import build_worker

TODAY = date(2030, 3, 10)
# autopay is no cron: each worker takes part in it (test_autopay_day.py)
BILLING_CRONS = ("cron:issue_statements_job", "cron:autopay_job", "cron:reconcile_payments_job")


async def billed_account(name: str, billing_day: int, *prices: int) -> Account:
    account = await make_account(name)
    await Account.filter(id=account.id).update(billing_day=billing_day)
    await make_member(account, name.split()[-1].lower(), role=Role.PRIMARY)
    for price in prices:
        await Service.create(account_id=account.id, kind="INTERNET", plan="Gig", monthly_price=price)
    return await Account.get(id=account.id)


async def test_statements_are_issued_once_for_the_accounts_billed_today() -> None:
    # given accounts billed on the 10th (one with nothing to bill) and one billed on the 11th
    smiths = await billed_account("The Smiths", 10, 7999, 2000)
    await billed_account("The Joneses", 10)
    later = await billed_account("The Lees", 11, 5000)
    # when
    first = await issue_due_statements(TODAY)
    again = await issue_due_statements(TODAY)
    # then
    assert (first, again) == (1, 0)
    [statement] = await Statement.all()
    assert (statement.account_id, statement.period_start, statement.amount_due) == (smiths.id, TODAY, 9999)
    assert await Statement.filter(account_id=later.id).count() == 0
    assert [m.recipient for m in await OutboxMessage.filter(kind="STATEMENT_READY")] == ["smiths@example.com"]


async def test_the_statement_job_takes_a_date_and_wakes_delivery(settings: Settings, queue: Queue) -> None:
    # given
    await billed_account("The Smiths", 10, 7999)
    ctx = {"settings": settings, "queue": queue}
    # when
    issued = await issue_statements_job(ctx, "2030-03-10")
    repeated = await issue_statements_job(ctx, "2030-03-10")
    # then
    assert (issued, repeated) == (1, 0)
    [message] = await OutboxMessage.filter(kind="STATEMENT_READY")
    assert await queue.pool.exists(f"arq:job:outbox:{message.id}") == 1


async def test_the_autopay_job_charges_the_statements_issued_for_today(
    settings: Settings, queue: Queue
) -> None:
    # given an enrolled account whose statement was issued today, due today
    account = await billed_account("The Smiths", 10, 7999)
    card = await add_card(account)
    await AutopayEnrollment.create(account_id=account.id, payment_method_id=card.id)
    await issue_statements_job({"settings": settings, "queue": queue}, "2030-03-10")
    due = (await Statement.get(account_id=account.id)).due_date
    ctx = {"settings": settings, "queue": queue}
    # when
    reports = [await autopay_job(ctx, due.isoformat()) for _ in range(2)]
    # then
    assert [(r["charged"], r["alreadyDone"]) for r in reports] == [(1, 0), (0, 1)]
    assert [p.status for p in await Payment.all()] == [PaymentStatus.SUCCEEDED]
    assert len(await sandbox_charges()) == 1
    assert await reconcile_payments_job(ctx) == 0


async def test_the_worker_runs_the_billing_crons_daily_and_reconciles_every_minute(
    settings: Settings,
) -> None:
    # when
    worker = build_worker(settings)
    # then
    schedule = {
        job.name: (job.hour, job.minute, job.second) for job in worker.cron_jobs if job.name in BILLING_CRONS
    }
    assert schedule == {
        "cron:issue_statements_job": ({6}, {0}, {0}),
        "cron:reconcile_payments_job": (None, None, {30}),
    }
