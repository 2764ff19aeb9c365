"""The autopay run: one charge per statement and attempt day, whatever runs it how often, retries after
1, 3 and 5 days, the ceiling, the reminder, and recovery when the run dies after the processor took the
money (in a real `gateway run-autopay` process)."""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta

import pytest

from gateway.settings import Settings
from models.billing.autopay import AUTOPAY_GAVE_UP, AutopayReport, run_autopay
from models.billing.balance import balance_of
from models.billing.models import (
    AutopayEnrollment,
    BillingNotice,
    Payment,
    PaymentSource,
    PaymentStatus,
    Statement,
    StatementStatus,
)
from models.billing.processor import SandboxProcessor
from models.billing.reconcile import reconcile_pending
from models.billing.statements import issue_statement
from models.members.models import Member
from models.notify.outbox import OutboxMessage
from tests.billing_support import sandbox_charges
from tests.support import make_account
from tests.workers.autopay_support import DUE, enrolled, run_autopay_process
from workers.billing import autopay_job, reconcile_payments_job


async def messages(kind: str) -> list[str]:
    return [m.recipient for m in await OutboxMessage.filter(kind=kind).order_by("id")]


async def test_a_statement_due_today_is_charged_once_however_often_autopay_runs() -> None:
    # given
    account, statement = await enrolled()
    # when
    first = await run_autopay(DUE)
    reruns = [await run_autopay(DUE) for _ in range(3)]
    # then
    assert first == AutopayReport(charged=1)
    assert reruns == [AutopayReport(already_done=1)] * 3
    [payment] = await Payment.all()
    assert (payment.status, payment.source, payment.amount, payment.idempotency_key) == (
        PaymentStatus.SUCCEEDED,
        PaymentSource.AUTOPAY,
        7999,
        f"autopay:{statement.id}:2030-03-10",
    )
    assert len(await sandbox_charges()) == 1
    assert (await Statement.get(id=statement.id)).status == StatementStatus.PAID
    assert await balance_of(account.id) == 0
    assert await messages("PAYMENT_RECEIPT") == ["smiths@example.com"]


async def test_nothing_is_charged_before_the_charge_date_or_without_enrolment() -> None:
    # given a statement charged 2 days before its due date (the 8th), and one of an account not enrolled
    await enrolled(days_before_due=2)
    other = await make_account("The Joneses")
    await issue_statement(other, amount=5000, due=DUE, period_start=DUE)
    # when
    early = await run_autopay(DUE - timedelta(days=3))
    on_time = await run_autopay(DUE - timedelta(days=2))
    # then
    assert early == AutopayReport(reminded=1)
    assert on_time == AutopayReport(charged=1)
    assert [(p.amount, p.status) for p in await Payment.all()] == [(7999, PaymentStatus.SUCCEEDED)]
    assert await balance_of(other.id) == 5000


async def test_a_disabled_enrolment_charges_nothing() -> None:
    # given
    account, _ = await enrolled()
    await AutopayEnrollment.filter(account_id=account.id).update(enabled=False)
    # when
    report = await run_autopay(DUE)
    # then
    assert report == AutopayReport()
    assert await Payment.all().count() == 0


@pytest.mark.parametrize("statements", [50])
async def test_two_runs_at_once_charge_each_statement_once(statements: int) -> None:
    # given 50 enrolled accounts with a statement due today (on PostgreSQL when TEST_DATABASE_URL is set:
    # two connections of the pool claim with FOR UPDATE SKIP LOCKED at the same time)
    for index in range(statements):
        await enrolled(f"The Family{index}")
    # when two workers run today's autopay at once, in small batches so their claims interleave
    reports = await asyncio.gather(run_autopay(DUE, batch_size=7), run_autopay(DUE, batch_size=7))
    # then every statement was charged exactly once
    assert sum(report.charged for report in reports) == statements
    assert sum(report.failed + report.pending for report in reports) == 0
    assert len(await sandbox_charges()) == statements
    assert await Payment.filter(status=PaymentStatus.SUCCEEDED).count() == statements
    assert await Statement.filter(status=StatementStatus.PAID).count() == statements
    # and a third run finds them all done
    assert await run_autopay(DUE) == AutopayReport(already_done=statements)


async def test_a_run_that_dies_after_the_processor_took_the_money_is_settled_once(settings: Settings) -> None:
    # given
    account, statement = await enrolled()
    # when the worker process dies between the processor's charge and the settlement
    crashed = await asyncio.to_thread(run_autopay_process, settings, DUE, "crash_after_charge")
    # then the money is taken once and the payment waits, PENDING
    assert crashed.returncode != 0
    assert "ProcessorCrash" in crashed.stderr
    [payment] = await Payment.all()
    assert payment.status == PaymentStatus.PENDING
    assert len(await sandbox_charges()) == 1
    # when autopay runs again the same day, and the reconciliation job runs
    rerun = await run_autopay(DUE)
    settled = await reconcile_pending(older_than_seconds=0)
    # then nothing more was charged and the payment succeeded
    assert rerun == AutopayReport(already_done=1)
    assert settled == 1
    assert (await Payment.get(id=payment.id)).status == PaymentStatus.SUCCEEDED
    assert len(await sandbox_charges()) == 1
    assert (await Statement.get(id=statement.id)).status == StatementStatus.PAID
    assert await balance_of(account.id) == 0
    assert await run_autopay(DUE) == AutopayReport(already_done=1)
    assert len(await sandbox_charges()) == 1


async def test_a_processor_time_out_leaves_the_payment_pending_until_reconciled(settings: Settings) -> None:
    # given
    _, statement = await enrolled()
    # when the processor takes the money but its answer is lost
    timed_out = await asyncio.to_thread(run_autopay_process, settings, DUE, "timeout")
    # then
    assert timed_out.returncode == 0, timed_out.stderr
    assert json.loads(timed_out.stdout) == {
        "date": "2030-03-10",
        "charged": 0,
        "failed": 0,
        "pending": 1,
        "skippedCeiling": 0,
        "reminded": 0,
        "gaveUp": 0,
        "alreadyDone": 0,
        "heldElsewhere": 0,
        "released": 0,
    }
    # when the reconciliation runs (the processor answers again) and autopay runs again
    assert await reconcile_pending(older_than_seconds=0) == 1
    assert await run_autopay(DUE) == AutopayReport(already_done=1)
    # then one charge, one SUCCEEDED payment
    assert [p.status for p in await Payment.all()] == [PaymentStatus.SUCCEEDED]
    assert len(await sandbox_charges()) == 1
    assert (await Statement.get(id=statement.id)).status == StatementStatus.PAID


async def test_a_time_out_in_process_is_reported_pending_and_never_charged_twice() -> None:
    # given
    await enrolled()
    # when
    report = await run_autopay(DUE, processor=SandboxProcessor(fault="timeout"))
    again = await run_autopay(DUE, processor=SandboxProcessor(fault="timeout"))
    # then
    assert report == AutopayReport(pending=1)
    assert again == AutopayReport(already_done=1)
    assert len(await sandbox_charges()) == 1


async def test_a_declined_charge_is_retried_after_1_3_and_5_days_then_the_member_is_told_once() -> None:
    # given
    _, statement = await enrolled(token="tok_chargeDeclined")
    # when autopay runs every day for 8 days
    reports = {offset: await run_autopay(DUE + timedelta(days=offset)) for offset in range(8)}
    # then it tried on the charge date and 1, 3 and 5 days later
    assert {offset: report for offset, report in reports.items() if report != AutopayReport()} == {
        0: AutopayReport(failed=1),
        1: AutopayReport(failed=1),
        3: AutopayReport(failed=1),
        5: AutopayReport(failed=1, gave_up=1),
    }
    payments = await Payment.all().order_by("id")
    assert [(p.idempotency_key, p.status, p.failure_reason) for p in payments] == [
        (f"autopay:{statement.id}:2030-03-{day:02d}", PaymentStatus.FAILED, "card_declined")
        for day in (10, 11, 13, 15)
    ]
    assert len(await sandbox_charges()) == 4
    assert await messages("AUTOPAY_GAVE_UP") == ["smiths@example.com"]
    assert (await Statement.get(id=statement.id)).status == StatementStatus.OPEN


async def test_a_statement_above_the_ceiling_is_not_charged_and_the_member_is_told_once() -> None:
    # given
    account, _ = await enrolled(amount=12000, max_amount=10000)
    # when
    reports = [await run_autopay(DUE + timedelta(days=offset)) for offset in range(3)]
    # then
    assert reports == [AutopayReport(skipped_ceiling=1)] * 3
    assert await Payment.all().count() == 0
    assert len(await sandbox_charges()) == 0
    [notice] = await OutboxMessage.filter(kind="CEILING_SKIPPED")
    assert notice.recipient == "smiths@example.com"
    assert "$120.00 is above your autopay limit of $100.00" in notice.body
    assert await balance_of(account.id) == 12000


async def test_members_are_reminded_three_days_before_the_charge_once() -> None:
    # given a statement due on the 10th, charged 2 days before: on the 8th
    await enrolled(days_before_due=2)
    # when
    reports = [(day, await run_autopay(date(2030, 3, day))) for day in (4, 5, 5, 6, 7)]
    # then
    assert reports == [
        (4, AutopayReport()),
        (5, AutopayReport(reminded=1)),
        (5, AutopayReport()),
        (6, AutopayReport()),
        (7, AutopayReport()),
    ]
    [reminder] = await OutboxMessage.filter(kind="AUTOPAY_REMINDER")
    assert reminder.recipient == "smiths@example.com"
    assert "Autopay will charge $79.99 on 2030-03-08" in reminder.body
    assert await BillingNotice.filter(kind="AUTOPAY_REMINDER").count() == 1
    assert await Payment.all().count() == 0


async def test_the_first_reminder_run_reports_it() -> None:
    # given
    await enrolled()
    # when
    report = await run_autopay(DUE - timedelta(days=3))
    # then
    assert report == AutopayReport(reminded=1)


async def test_notices_follow_the_billing_preferences() -> None:
    # given a primary who wants billing messages by SMS only
    _, _ = await enrolled(amount=12000, max_amount=10000)
    await Member.filter(username="smiths").update(
        notification_preferences={"billing": ["SMS"], "security": ["EMAIL"]},
        phone="+12025550143",
        phone_confirmed=True,
    )
    # when
    report = await run_autopay(DUE)
    # then the ceiling notice went by SMS alone
    assert report == AutopayReport(skipped_ceiling=1)
    notices = await OutboxMessage.filter(kind="CEILING_SKIPPED")
    assert [(n.channel.value, n.recipient) for n in notices] == [("SMS", "+12025550143")]


async def test_without_a_processor_the_daily_job_charges_nothing_and_tells_no_one(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    # given a statement due today, autopay enrolled, and no payment processor (production until one is set)
    account, statement = await enrolled()
    ctx = {"settings": settings.with_overrides(payment_processor="none")}
    # when the daily job and the reconciliation run on each day autopay would charge or retry
    reports = [await autopay_job(ctx, (DUE + timedelta(days=offset)).isoformat()) for offset in range(7)]
    settled = await reconcile_payments_job(ctx)
    # then nothing was charged, no attempt counts as failed, and no member hears of a decline
    assert reports == [AutopayReport().as_json()] * 7
    assert settled == 0
    assert await sandbox_charges() == []
    assert await Payment.all().count() == 0
    assert await BillingNotice.all().count() == 0
    assert await messages("PAYMENT_FAILED") == await messages(AUTOPAY_GAVE_UP) == []
    assert await balance_of(account.id) == statement.amount_due
    # and the log says why
    assert any("PAYMENTS_UNAVAILABLE" in record.getMessage() for record in caplog.records)
