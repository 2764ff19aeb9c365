"""The `gateway` operator command: serve, worker, migrate and export-schema here; the commands that touch
the database (create-account, issue-statement, run-autopay, record-usage, trust-documents, seed-demo) in
gateway/operator_commands.py.

Commands that create something print one JSON object on stdout. Bad input is one line on stderr
and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from gateway import operator_commands, operator_input
from gateway.logs import configure_logging
from gateway.operator_commands import UsageError
from gateway.settings import Settings, SettingsError
from models.db.database import tortoise_config
from models.onboarding import OnboardingError
from schema import schema
from workers.observability import check as check_worker

USAGE_ERROR = 2
JSON = dict[str, Any]

# For `tortoise -c gateway.cli.TORTOISE_ORM makemigrations` (`make migrations`): the models, no database.
TORTOISE_ORM = tortoise_config("sqlite://:memory:")


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
    create.set_defaults(run=operator_commands.create_account_command)

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
    statement.set_defaults(run=operator_commands.issue_statement_command)

    autopay = commands.add_parser("run-autopay", help="run the daily autopay job now; prints its report")
    autopay.add_argument("--date", help="the day to run it for, YYYY-MM-DD (default: today, UTC)")
    autopay.set_defaults(run=operator_commands.run_autopay_command)

    usage = commands.add_parser("record-usage", help="add metered bytes to a service's usage (metering feed)")
    usage.add_argument("--account", required=True, help="the account number")
    usage.add_argument("--service", required=True, help="the service's global ID, as the API shows it")
    usage.add_argument("--bytes", required=True, help="how many bytes were used (added to the period)")
    usage.add_argument("--at", help="when, ISO 8601 with an offset (default: now); picks the period")
    usage.set_defaults(run=operator_commands.record_usage_command)

    trust = commands.add_parser(
        "trust-documents", help="register GraphQL documents an API key may run (then only those)"
    )
    trust.add_argument("--key", required=True, help="the API key's prefix, e.g. agk_AbCdEfGh")
    trust.add_argument("files", nargs="+", metavar="FILE.graphql", help="one document a file")
    trust.set_defaults(run=operator_commands.trust_documents_command)

    commands.add_parser("seed-demo", help="create the demo account; prints its login").set_defaults(
        run=operator_commands.seed_demo_command
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
    from gateway.dev import run, serve

    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port} is not a TCP port")
    settings = Settings.from_env()
    configure_logging(settings)
    run(serve(settings, args.host, args.port, with_worker=not args.no_worker))
    return 0


def _worker(args: argparse.Namespace) -> int:
    from gateway.dev import run, work

    settings = Settings.from_env()
    if args.check:
        answered, report = asyncio.run(check_worker(settings))
        operator_commands.print_json(report)
        return 0 if answered else 1
    if not settings.redis_url:
        raise UsageError("REDIS_URL is not set (in development, `gateway serve` runs the worker itself)")
    configure_logging(settings)
    run(work(settings))
    return 0


def _migrate(args: argparse.Namespace) -> int:
    asyncio.run(operator_commands.prepared(Settings.from_env()))
    sys.stderr.write("gateway migrate: the database is up to date\n")
    return 0


def _export_schema(args: argparse.Namespace) -> int:
    sys.stdout.write(schema.as_str() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
