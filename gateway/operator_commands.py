"""What the operator commands do that touch the database: create-account, issue-statement, run-autopay,
record-usage, trust-documents, seed-demo (gateway/cli.py parses them). Each prints one JSON object on
stdout; bad input raises an error of one line, which the CLI prints with exit status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from typing import Any

from gateway import operator_input
from gateway.persisted import BadDocument, checked_document
from gateway.settings import Settings
from models.accounts.models import Account
from models.billing.autopay import run_autopay
from models.billing.processors import close_processors
from models.billing.statements import NothingToBill, StatementKeyReused, issue_statement
from models.db.clock import utcnow
from models.db.database import close_database, migrate, open_database
from models.members.models import Channel
from models.notify.outbox import track_written
from models.onboarding import checked_account, create_account, seed_demo
from models.partners import trusted_documents
from models.partners.api_keys import SHOWN_CHARS, ApiKey
from models.security.passwords import Passwords
from models.services.models import Service, ServiceKind
from models.services.usage import MAX_RECORD_BYTES, UnknownService, record_usage
from schema import schema
from schema.ids import pk_of, to_global_id
from workers.billing import processor_for
from workers.queue import Queue

JSON = dict[str, Any]


class UsageError(Exception):
    """A command cannot run as asked; the message is one line."""


def create_account_command(args: argparse.Namespace) -> int:
    # Checked before anything else, so bad input touches neither DATA_DIR nor the database.
    checked_account(args.name, args.email, args.phone, args.time_zone, args.display_name)
    service = operator_input.checked_service(args.plan, args.price, args.allowance)
    settings = Settings.from_env()

    async def create() -> JSON:
        account, member = await create_account(
            name=args.name,
            email=args.email,
            phone=args.phone,
            time_zone=args.time_zone,
            display_name=args.display_name,
            public_url=settings.public_url,
            activation_seconds=settings.activation_seconds,
        )
        created: JSON = {
            "accountId": to_global_id("Account", account.id),
            "accountNumber": account.number,
            "primaryMemberId": to_global_id("Member", member.id),
        }
        if service is not None:
            internet = await Service.create(
                account_id=account.id,
                kind=ServiceKind.INTERNET,
                plan=service.plan,
                monthly_price=service.price,
                allowance_bytes=service.allowance_bytes,
            )
            created["serviceId"] = to_global_id("Service", internet.id)
        return created

    return print_json(asyncio.run(_with_database(settings, create)))


def issue_statement_command(args: argparse.Namespace) -> int:
    due = operator_input.checked_due(args.due, utcnow().date())
    amount = operator_input.checked_amount(args.amount, args.description)
    key = operator_input.checked_key(args.key, amount)
    settings = Settings.from_env()

    async def issue() -> JSON:
        account = await Account.get_or_none(number=args.account.strip())
        if account is None:
            raise UsageError(f"--account {args.account!r}: no account has this number")
        try:
            statement = await issue_statement(
                account, due=due, amount=amount, description=args.description, key=key
            )
        except NothingToBill as error:
            raise UsageError(str(error)) from None
        except StatementKeyReused as error:
            raise UsageError(f"--key {key!r} {error.what}") from None
        return {
            "statementId": to_global_id("Statement", statement.id),
            "amountDue": statement.amount_due,
            "dueDate": statement.due_date.isoformat(),
        }

    return print_json(asyncio.run(_with_database(settings, issue)))


def run_autopay_command(args: argparse.Namespace) -> int:
    day = operator_input.checked_date("--date", args.date)
    settings = Settings.from_env()
    processor = processor_for(settings)
    if processor is None:
        raise UsageError(settings.payments_off_reason or "payments are unavailable")

    stop = asyncio.Event()

    async def run() -> JSON:
        today = day or utcnow().date()
        with _stopped_by(stop, signal.SIGTERM, signal.SIGINT):
            report = await run_autopay(
                today, processor=processor, concurrency=settings.autopay_concurrency, stop=stop
            )
        return {"date": today.isoformat(), **report.as_json()}

    print_json(asyncio.run(_with_database(settings, run)))
    # Stopped by a signal: the report says what was done; the status says the run did not finish.
    return 128 + signal.SIGTERM if stop.is_set() else 0


@contextlib.contextmanager
def _stopped_by(stop: asyncio.Event, *signals: signal.Signals) -> Iterator[None]:
    """Set `stop` on these signals instead of dying at once: autopay finishes the charges in flight."""
    loop = asyncio.get_running_loop()
    for number in signals:
        loop.add_signal_handler(number, stop.set)
    try:
        yield
    finally:
        for number in signals:
            loop.remove_signal_handler(number)


def record_usage_command(args: argparse.Namespace) -> int:
    service_id = pk_of(args.service.strip(), "Service")
    if service_id is None:
        raise UsageError(f"--service {args.service!r} is not a Service ID")
    if not re.fullmatch(r"\s*[0-9]+\s*", args.bytes) or not 0 <= int(args.bytes) <= MAX_RECORD_BYTES:
        raise UsageError(f"--bytes must be a whole number from 0 to {MAX_RECORD_BYTES}")
    at = None
    if args.at is not None:
        try:
            at = datetime.fromisoformat(args.at.strip())
        except ValueError:
            raise UsageError(f"--at {args.at!r} is not an ISO 8601 time") from None
        if at.tzinfo is None:
            raise UsageError(f"--at {args.at!r} needs a UTC offset, e.g. 2026-01-31T10:00:00Z")
    settings = Settings.from_env()

    async def record() -> JSON:
        try:
            total = await record_usage(args.account.strip(), service_id, int(args.bytes), at)
        except UnknownService:
            raise UsageError(f"account {args.account!r} has no service {args.service!r}") from None
        return {
            "serviceId": to_global_id("Service", total.service.id),
            "periodStart": total.period_start.isoformat(),
            "usedBytes": total.used_bytes,
            "allowanceBytes": total.service.allowance_bytes,
        }

    return print_json(asyncio.run(_with_database(settings, record)))


def trust_documents_command(args: argparse.Namespace) -> int:
    # Read and validated before the database is touched: a bad file changes nothing.
    try:
        documents = [checked_document(path, schema) for path in args.files]
    except BadDocument as error:
        raise UsageError(str(error)) from None
    settings = Settings.from_env()

    async def register() -> JSON:
        prefix = args.key.strip()
        keys: list[ApiKey] = []
        if len(prefix) <= SHOWN_CHARS:  # a longer value would fail the column's length check
            keys = await ApiKey.filter(prefix=prefix, revoked_at=None).limit(2)
        if len(keys) != 1:
            raise UsageError(f"--key {args.key!r}: no live API key, or more than one, has this prefix")
        hashes = await trusted_documents.register(keys[0].id, documents)
        files = zip(args.files, hashes, strict=True)
        return {"key": prefix, "documents": [{"file": f, "sha256": sha} for f, sha in files]}

    return print_json(asyncio.run(_with_database(settings, register)))


def seed_demo_command(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if settings.is_production:
        # It would put a published password on whichever member's username folds to "demo".
        raise UsageError("the demo account is for development; it cannot be seeded in production")

    async def seed() -> JSON:
        passwords = Passwords(
            settings.argon2_memory_kib, settings.argon2_time_cost, settings.argon2_parallelism
        )
        login = await seed_demo(passwords)
        return {"username": login.username, "password": login.password, "accountNumber": login.account.number}

    return print_json(asyncio.run(_with_database(settings, seed)))


async def prepared(settings: Settings) -> None:
    """Migrate; in development also create DATA_DIR, so a fresh clone works whatever runs first."""
    if not settings.is_production:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    await migrate(settings.database_url)


async def _with_database(settings: Settings, action: Callable[[], Awaitable[JSON]]) -> JSON:
    """Run `action` on an open database, then wake delivery of the messages it queued."""
    if not settings.is_production:
        await prepared(settings)
    await open_database(settings.database_url, timeout_seconds=settings.database_timeout_seconds)
    try:
        written = track_written()
        result = await action()
    finally:
        await close_processors()
        await close_database()
    await _wake_delivery(settings, written)
    return result


async def _wake_delivery(settings: Settings, written: list[tuple[int, Channel]]) -> None:
    """Queue the new messages at once when Redis is known; otherwise the worker's sweeper takes them."""
    queue = Queue.configured(settings) if written else None
    if queue is None:
        return
    try:
        await queue.deliver(written)
    finally:
        await queue.close()


def print_json(value: JSON) -> int:
    sys.stdout.write(json.dumps(value) + "\n")
    return 0
