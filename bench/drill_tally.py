"""The kill drill's end of day, read from the database, the sandbox's ledger and the SMTP sink.

A statement is *eligible* when its charge date is the day and its amount is within the enrolment's ceiling
(those above it are not charged: the member is told once). Per eligible statement the sandbox's ledger
(SandboxCharge, one row per processor key `<account>:autopay:<statement>:<day>`) says how often the
processor took a charge; the payment under the day's key says whether autopay settled it.
"""

from __future__ import annotations

import textwrap
from argparse import Namespace
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any

from tortoise import connections

from bench.autopay import machine
from bench.results import write_section
from models.billing.autopay import attempt_key
from models.billing.models import BillingNotice, Payment, PaymentStatus
from models.billing.processor import SANDBOX_TOKENS, SandboxCharge
from models.db.clock import utcnow
from models.notify.outbox import MessageKind, MessageStatus, OutboxMessage

SETTLED = (PaymentStatus.SUCCEEDED, PaymentStatus.FAILED)
# A charge takes the sandbox's latency (300 ms) and a few round trips; one pending longer was left by a kill.
IN_FLIGHT_SECONDS = 5

_STATEMENTS = """
SELECT s.id, s.account_id, s.amount_due, e.max_amount, m.processor_token
FROM statement s JOIN autopay_enrollment e ON e.account_id = s.account_id
JOIN payment_method m ON m.id = e.payment_method_id
WHERE e.enabled AND s.due_date - e.days_before_due = $1
ORDER BY s.id"""


@dataclass(frozen=True)
class DueStatement:
    id: int
    account_id: int
    above_ceiling: bool
    declined: bool  # the card's sandbox token is one the sandbox refuses


async def due_statements(day: date) -> list[DueStatement]:
    rows = await connections.get("default").execute_query_dict(_STATEMENTS, [day])
    return [
        DueStatement(
            id=int(row["id"]),
            account_id=int(row["account_id"]),
            above_ceiling=row["max_amount"] is not None and int(row["amount_due"]) > int(row["max_amount"]),
            declined=SANDBOX_TOKENS[str(row["processor_token"])][1] is not None,
        )
        for row in rows
    ]


async def settled_attempts(day: date, statements: list[DueStatement]) -> dict[int, PaymentStatus]:
    """The day's autopay payment of each statement that has one, by statement id."""
    keys = {attempt_key(s.id, day): s.id for s in statements}
    rows = await Payment.filter(idempotency_key__in=list(keys)).values_list("idempotency_key", "status")
    return {keys[str(key)]: PaymentStatus(status) for key, status in rows}


async def unsettled(day: date, statements: list[DueStatement]) -> int:
    """Eligible statements with no SUCCEEDED or FAILED payment under the day's key (the end-of-day test)."""
    attempts = await settled_attempts(day, statements)
    return sum(1 for s in statements if not s.above_ceiling and attempts.get(s.id) not in SETTLED)


async def outbox_busy() -> int:
    """Messages not yet SENT (or FAILED for good)."""
    return await OutboxMessage.filter(status__in=[MessageStatus.PENDING, MessageStatus.SENDING]).count()


async def pending() -> int:
    """Payments started and not settled: charges in flight, or left by a killed run for reconciliation."""
    return await Payment.filter(status=PaymentStatus.PENDING).count()


async def in_flight() -> int:
    """Charges in flight: payments started in the last IN_FLIGHT_SECONDS and not settled."""
    since = utcnow() - timedelta(seconds=IN_FLIGHT_SECONDS)
    return await Payment.filter(status=PaymentStatus.PENDING, created_at__gte=since).count()


async def ledger_size() -> int:
    return await SandboxCharge.all().count()


async def tally(day: date, received: list[EmailMessage]) -> dict[str, Any]:
    """The day's figures (see the module's docstring); `received` is what reached the SMTP sink."""
    statements = await due_statements(day)
    attempts = await settled_attempts(day, statements)
    ledger: dict[int, list[bool]] = {}
    for key, succeeded in await SandboxCharge.all().values_list("idempotency_key", "succeeded"):
        ledger.setdefault(int(str(key).split(":")[2]), []).append(bool(succeeded))
    outbox = await OutboxMessage.all().values_list("id", "account_id", "kind", "status")
    sent_rows = OutboxMessage.filter(sent_at__isnull=False).values_list("created_at", "sent_at")
    delays = [(sent - created).total_seconds() for created, sent in await sent_rows]
    settle_times = [
        (settled - created).total_seconds()
        for created, settled in await Payment.filter(settled_at__isnull=False).values_list(
            "created_at", "settled_at"
        )
    ]
    kinds = Counter((int(account), str(kind)) for _, account, kind, _ in outbox)
    notices = set(await BillingNotice.all().values_list("statement_id", "kind"))
    eligible = [s for s in statements if not s.above_ceiling]
    good = [s for s in eligible if not s.declined]
    charged_once = [
        s for s in good if attempts.get(s.id) == PaymentStatus.SUCCEEDED and ledger.get(s.id) == [True]
    ]
    stranded = [s.id for s in eligible if attempts.get(s.id) not in SETTLED]
    twice = sorted(sid for sid, charges in ledger.items() if len(charges) > 1)
    declined = [s for s in eligible if s.declined]
    ceiling = [s for s in statements if s.above_ceiling]
    at_sink = Counter(str(email["Message-ID"]) for email in received)
    sent = {row[0] for row in outbox if row[3] == MessageStatus.SENT}
    sink_ids = {_outbox_id(message_id) for message_id in at_sink}
    version = await connections.get("default").execute_query_dict("SHOW server_version")
    return {
        "postgres": str(version[0]["server_version"]).split()[0],
        "statementsDue": len(statements),
        "eligible": len(eligible),
        "chargedOnce": len(charged_once),
        "chargedTwice": len(twice),
        "stranded": len(stranded),
        "strandedStatements": stranded[:50],
        "chargedTwiceStatements": twice[:50],
        "stillPending": sum(1 for s in eligible if attempts.get(s.id) == PaymentStatus.PENDING),
        "goodCardsNotChargedOnce": [s.id for s in good if s not in charged_once][:50],
        "declined": len(declined),
        "declinedHandled": sum(
            1
            for s in declined
            if attempts.get(s.id) == PaymentStatus.FAILED
            and kinds[(s.account_id, MessageKind.PAYMENT_FAILED)] == 1
        ),
        "aboveCeiling": len(ceiling),
        "aboveCeilingHandled": sum(
            1
            for s in ceiling
            if (s.id, MessageKind.CEILING_SKIPPED) in notices
            and kinds[(s.account_id, MessageKind.CEILING_SKIPPED)] == 1
            and s.id not in attempts
            and s.id not in ledger
        ),
        # Payments a kill left PENDING, settled later by reconciliation (or a later run's look at the key).
        "paymentsSettledLate": sum(1 for seconds in settle_times if seconds > IN_FLIGHT_SECONDS),
        "slowestSettlementSeconds": round(max(settle_times, default=0), 1),
        "receiptsNotExactlyOne": sum(
            1 for s in charged_once if kinds[(s.account_id, MessageKind.PAYMENT_RECEIPT)] != 1
        ),
        "messages": {
            "outbox": len(outbox),
            "notSent": Counter(str(row[3]) for row in outbox if row[3] != MessageStatus.SENT),
            "sentNotAtSink": len(sent - sink_ids),
            "atSinkNotMarkedSent": len(sink_ids - sent),
            "duplicatesAtSink": sum(count - 1 for count in at_sink.values()),
            "duplicatedMessageIds": sorted(message_id for message_id, count in at_sink.items() if count > 1),
            "receivedAtSink": len(received),
            "slowestDeliverySeconds": round(max(delays, default=0), 1),
        },
    }


def _outbox_id(message_id: str) -> int:
    """The outbox row of a Message-ID `<outbox-<id>@domain>` (workers/mail.py); -1 for another form."""
    local = message_id.strip("<>").partition("@")[0]
    return int(local.removeprefix("outbox-")) if local.startswith("outbox-") else -1


def record(args: Namespace, result: dict[str, Any], load: tuple[float, float]) -> None:
    """Write the figures to bench/RESULTS.md (the section "Autopay kill drill"), the machine described."""
    messages, kills = result["messages"], result["kills"]
    processes = " and ".join(f"`gateway {role}`" for role in args.processes)
    setup = (
        f"Recorded {date.today().isoformat()} by `bench/drill.py`: {args.accounts:,} accounts enrolled in"
        " autopay, a statement of each charged today (1 in 20 on a card the sandbox declines, 1 in 20 above"
        f" the enrolment's ceiling); {processes} charging through the sandbox answering {args.latency_ms} ms"
        f" late, {args.concurrency} charges in flight each, mail to a local SMTP sink; {args.kills} SIGKILLs"
        f" and {args.kills} SIGTERMs at random moments (seed {args.seed}) once the processor has taken a"
        " charge since the last one, each killed process started again."
    )
    end = (
        f"The day was {'over' if result['dayOver'] else 'NOT over'} (every eligible statement settled, the"
        f" outbox drained) {result['secondsFromLastKillToDayOver']} s after the last kill."
        f" {messages['outbox']} messages in the outbox, {messages['receivedAtSink']} received by the sink."
        " The kills: seconds from the start, the process, its uptime, the charges in flight then (payments"
        f" pending for under {IN_FLIGHT_SECONDS} s) and the sandbox's charges so far:"
    )
    section = [
        textwrap.fill(setup, 105),
        "",
        "```",
        f".venv/bin/python -m bench.drill --accounts {args.accounts} --kills {args.kills} --seed {args.seed}"
        f" --latency-ms {args.latency_ms} --concurrency {args.concurrency}"
        " --database postgres://postgres@127.0.0.1/<scratch db> --redis redis://127.0.0.1:6379/<db> --record",
        "```",
        "",
        "### Machine",
        "",
        *machine(),
        f"- PostgreSQL {result['postgres']} and Redis on the same machine",
        f"- 1-minute load average before and after: {load[0]:.2f} and {load[1]:.2f}",
        "",
        "### Results",
        "",
        "| Eligible | Charged once | Charged twice | Stranded | Declined handled | Above ceiling handled "
        "| Messages stuck | Duplicates at the SMTP sink | Wall time |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {result['eligible']} | {result['chargedOnce']} | {result['chargedTwice']} | {result['stranded']} "
        f"| {result['declinedHandled']} / {result['declined']} "
        f"| {result['aboveCeilingHandled']} / {result['aboveCeiling']} | {messages['stuck']} "
        f"| {messages['duplicatesAtSink']} | {result['wallSeconds']:.0f} s |",
        "",
        textwrap.fill(end, 105),
        "",
        *(
            f"- {k['at']:.0f} s: {k['signal']} `{k['target']}` (up {k['uptime']:.0f} s),"
            f" {k['chargesInFlight']} in flight, {k['ledger']} charged"
            for k in kills
        ),
    ]
    write_section("Autopay kill drill", "\n".join(section))
