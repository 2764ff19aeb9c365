"""The `gateway` operator command: serve, worker, migrate, create-account, issue-statement, run-autopay,
trust-documents, seed-demo, export-schema.

Commands that create something print one JSON object on stdout. Bad input is one line on stderr
and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, NoReturn

from redis.exceptions import RedisError

from gateway import operator_input
from gateway.observability import configure_logging
from gateway.persisted import BadDocument, checked_document
from gateway.settings import Settings, SettingsError
from models.accounts.models import Account
from models.billing.autopay import run_autopay
from models.billing.statements import NothingToBill, StatementKeyReused, issue_statement
from models.db.clock import utcnow
from models.db.database import close_database, migrate, open_database, tortoise_config
from models.members.models import Channel
from models.notify.outbox import track_written
from models.onboarding import OnboardingError, checked_account, create_account, seed_demo
from models.partners import trusted_documents
from models.partners.api_keys import SHOWN_CHARS, ApiKey
from models.security.passwords import Passwords
from models.services.models import Service
from models.services.usage import MAX_RECORD_BYTES, UnknownService, record_usage
from schema import schema
from schema.ids import pk_of, to_global_id
from workers.billing import processor_for
from workers.observability import check as check_worker
from workers.queue import Queue

USAGE_ERROR = 2
JSON = dict[str, Any]

# For `tortoise -c gateway.cli.TORTOISE_ORM makemigrations` (`make migrations`): the models, no database.
TORTOISE_ORM = tortoise_config("sqlite://:memory:")


class UsageError(Exception):
    """A command cannot run as asked; the message is one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gateway", description="Operate the account gateway.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    serve = commands.add_parser("serve", help="serve the API (and, unless --no-worker, the worker)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-worker", action="store_true", help="do not run the worker in this process")
    serve.set_defaults(run=_serve)

    worker = commands.add_parser("worker", help="run the arq worker (needs REDIS_URL)")
    worker.add_argument(
        "--check",
        action="store_true",
        help="check Redis and the database instead; prints JSON, exit status 1 unless both answer",
    )
    worker.set_defaults(run=_worker)
    commands.add_parser("migrate", help="apply the database migrations").set_defaults(run=_migrate)

    create = commands.add_parser("create-account", help="create an account and e-mail its activation link")
    create.add_argument("--name", required=True, help="the account's name, e.g. 'The Smiths'")
    create.add_argument("--email", required=True, help="the primary member's e-mail address")
    create.add_argument("--phone", help="the primary member's phone number (counts as confirmed)")
    create.add_argument("--time-zone", default="America/New_York", help="IANA time zone of the account")
    create.add_argument(
        "--display-name", help="how messages greet the primary (default: e-mail's local part)"
    )
    create.add_argument("--plan", help="an INTERNET service's plan, e.g. 'Gig' (with --price)")
    create.add_argument("--price", help="that service's monthly price in cents (with --plan)")
    create.add_argument(
        "--allowance", help="that service's monthly data allowance in bytes, so it is metered (with --plan)"
    )
    create.set_defaults(run=_create_account)

    statement = commands.add_parser(
        "issue-statement",
        help="issue an account's statement (its services), or a one-off charge with --amount",
        description="Without --amount: the period's statement of the account's services, once a period."
        " With --amount and --description: a one-off charge, also beside the period's statement, once per"
        " --key (without one: once per billing period, amount and description); a retry returns the first.",
    )
    statement.add_argument("--account", required=True, help="the account number")
    statement.add_argument(
        "--due",
        help="the due date, YYYY-MM-DD; the period is the account's billing period holding the day before"
        " it, as the daily run counts periods (default: due 21 days from today, this billing period)",
    )
    statement.add_argument("--amount", help="a one-off charge in cents (default: the account's services)")
    statement.add_argument("--description", help="the one-off charge's line item (with --amount)")
    statement.add_argument(
        "--key", help="the one-off charge's idempotency key: a retry with it returns the first statement"
    )
    statement.set_defaults(run=_issue_statement)

    autopay = commands.add_parser("run-autopay", help="run the daily autopay job now; prints its report")
    autopay.add_argument("--date", help="the day to run it for, YYYY-MM-DD (default: today, UTC)")
    autopay.set_defaults(run=_run_autopay)

    usage = commands.add_parser("record-usage", help="add metered bytes to a service's usage (metering feed)")
    usage.add_argument("--account", required=True, help="the account number")
    usage.add_argument("--service", required=True, help="the service's global ID, as the API shows it")
    usage.add_argument("--bytes", required=True, help="how many bytes were used (added to the period)")
    usage.add_argument("--at", help="when, ISO 8601 with an offset (default: now); picks the period")
    usage.set_defaults(run=_record_usage)

    trust = commands.add_parser(
        "trust-documents", help="register GraphQL documents an API key may run (then only those)"
    )
    trust.add_argument("--key", required=True, help="the API key's prefix, e.g. agk_AbCdEfGh")
    trust.add_argument("files", nargs="+", metavar="FILE.graphql", help="one document a file")
    trust.set_defaults(run=_trust_documents)

    commands.add_parser("seed-demo", help="create the demo account; prints its login").set_defaults(
        run=_seed_demo
    )
    commands.add_parser("export-schema", help="print the GraphQL SDL").set_defaults(run=_export_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except (SettingsError, OnboardingError, operator_input.InputError, UsageError) as error:
        sys.stderr.write(f"gateway {args.command}: {error}\n")
        return USAGE_ERROR
    except KeyboardInterrupt:
        return 130


def _serve(args: argparse.Namespace) -> int:
    # Imported here: only serve and worker need the web server and the arq stack.
    from gateway.dev import serve

    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port} is not a TCP port")
    settings = Settings.from_env()
    configure_logging(settings)
    asyncio.run(serve(settings, args.host, args.port, with_worker=not args.no_worker))
    return 0


def _worker(args: argparse.Namespace) -> int:
    from gateway.dev import work

    settings = Settings.from_env()
    if args.check:
        answered, report = asyncio.run(check_worker(settings))
        _print_json(report)
        return 0 if answered else 1
    if not settings.redis_url:
        raise UsageError("REDIS_URL is not set (in development, `gateway serve` runs the worker itself)")
    configure_logging(settings)
    asyncio.run(work(settings))
    return 0


def _migrate(args: argparse.Namespace) -> int:
    asyncio.run(_prepared(Settings.from_env()))
    sys.stderr.write("gateway migrate: the database is up to date\n")
    return 0


def _create_account(args: argparse.Namespace) -> int:
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
                kind="INTERNET",
                plan=service.plan,
                monthly_price=service.price,
                allowance_bytes=service.allowance_bytes,
            )
            created["serviceId"] = to_global_id("Service", internet.id)
        return created

    return _print_json(asyncio.run(_with_database(settings, create)))


def _issue_statement(args: argparse.Namespace) -> int:
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

    return _print_json(asyncio.run(_with_database(settings, issue)))


def _run_autopay(args: argparse.Namespace) -> int:
    day = operator_input.checked_date("--date", args.date)
    settings = Settings.from_env()
    processor = processor_for(settings)
    if processor is None:
        raise UsageError(settings.payments_off_reason or "payments are unavailable")

    async def run() -> JSON:
        today = day or utcnow().date()
        report = await run_autopay(today, processor=processor)
        return {"date": today.isoformat(), **report.as_json()}

    return _print_json(asyncio.run(_with_database(settings, run)))


def _record_usage(args: argparse.Namespace) -> int:
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

    return _print_json(asyncio.run(_with_database(settings, record)))


def _trust_documents(args: argparse.Namespace) -> int:
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

    return _print_json(asyncio.run(_with_database(settings, register)))


def _seed_demo(args: argparse.Namespace) -> int:
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

    return _print_json(asyncio.run(_with_database(settings, seed)))


def _export_schema(args: argparse.Namespace) -> int:
    sys.stdout.write(schema.as_str() + "\n")
    return 0


async def _prepared(settings: Settings) -> None:
    """Migrate; in development also create DATA_DIR, so a fresh clone works whatever runs first."""
    if not settings.is_production:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    await migrate(settings.database_url)


async def _with_database(settings: Settings, action: Callable[[], Awaitable[JSON]]) -> JSON:
    """Run `action` on an open database, then wake delivery of the messages it queued."""
    if not settings.is_production:
        await _prepared(settings)
    await open_database(settings.database_url)
    try:
        written = track_written()
        result = await action()
    finally:
        await close_database()
    await _wake_delivery(settings, written)
    return result


async def _wake_delivery(settings: Settings, written: list[tuple[int, Channel]]) -> None:
    """Queue the new messages at once when Redis is known; otherwise the worker's sweeper takes them."""
    if not written or not settings.redis_url:
        return
    try:
        queue = Queue.unchecked(settings.redis_url)
    except (RedisError, OSError):
        sys.stderr.write(
            "gateway: Redis is not answering; the worker will send the messages when it sweeps\n"
        )
        return
    try:
        await queue.deliver(written)
    finally:
        await queue.close()


def _print_json(value: JSON) -> int:
    sys.stdout.write(json.dumps(value) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
