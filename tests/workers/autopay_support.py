"""Autopay test helpers: enrolled accounts with a statement due; `gateway run-autopay` in its own process."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from gateway.settings import Settings
from models.access import Role
from models.accounts.models import Account
from models.billing.models import AutopayEnrollment, Payment, PaymentStatus, Statement, StatementStatus
from models.billing.processor import SandboxCharge
from models.billing.statements import issue_statement
from tests.billing_support import add_card, sandbox_charges
from tests.support import make_account, make_member

GATEWAY = Path(sys.executable).with_name("gateway")
DUE = date(2030, 3, 10)


async def enrolled(
    name: str = "The Smiths",
    *,
    token: str = "tok_visa",
    amount: int = 7999,
    due: date = DUE,
    days_before_due: int = 0,
    max_amount: int | None = None,
) -> tuple[Account, Statement]:
    """An account whose primary `<name>` is enrolled in autopay, with one OPEN statement."""
    account = await make_account(name)
    await make_member(account, name.split()[-1].lower(), role=Role.PRIMARY)
    card = await add_card(account, token)
    await AutopayEnrollment.create(
        account_id=account.id,
        payment_method_id=card.id,
        days_before_due=days_before_due,
        max_amount=max_amount,
    )
    statement = await issue_statement(
        account,
        amount=amount,
        description="Internet - Gig plan",
        due=due,
        period_start=due - timedelta(days=21),
    )
    return account, statement


def gateway_environ(settings: Settings, fault: str, latency_ms: int = 0) -> dict[str, str]:
    """The environment of a `gateway` process on the test database, with a sandbox fault switched on and
    the sandbox answering `latency_ms` late."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "ENVIRONMENT": "test",
        "DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.database_url,
        "SECRET_KEY": settings.secret_key,
        "SANDBOX_FAULT": fault,
        "SANDBOX_LATENCY_MS": str(latency_ms),
    }


def run_autopay_process(settings: Settings, day: date, fault: str) -> subprocess.CompletedProcess[str]:
    """`gateway run-autopay` in its own process, to its end."""
    return subprocess.run(
        [str(GATEWAY), "run-autopay", "--date", day.isoformat()],
        env=gateway_environ(settings, fault),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def start_autopay_process(
    settings: Settings, day: date, *, latency_ms: int = 300, concurrency: int = 4
) -> subprocess.Popen[str]:
    """`gateway run-autopay` started in its own process, with a processor that answers `latency_ms` late
    and `concurrency` charges in flight (few, so that a test stops it with most statements not started)."""
    return subprocess.Popen(
        [str(GATEWAY), "run-autopay", "--date", day.isoformat()],
        env={**gateway_environ(settings, "none", latency_ms), "AUTOPAY_CONCURRENCY": str(concurrency)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def charges_reach(count: int) -> None:
    """Wait (up to 30 s) until the sandbox processor has taken `count` charges."""
    async with asyncio.timeout(30):
        while True:  # polls the database: no event crosses the process boundary
            if await SandboxCharge.all().count() >= count:
                return
            await asyncio.sleep(0.02)


async def statements(count: int) -> list[int]:
    """`count` enrolled accounts' statements, all due on DUE; their ids."""
    return [(await enrolled(f"The Family{index}"))[1].id for index in range(count)]


async def assert_each_charged_once(statement_ids: list[int]) -> None:
    """The processor took one charge per statement, each paid by one payment."""
    keys = [charge.idempotency_key for charge in await sandbox_charges()]
    assert sorted(int(key.split(":")[2]) for key in keys) == sorted(statement_ids)
    assert await Payment.filter(status=PaymentStatus.SUCCEEDED).count() == len(statement_ids)
    assert await Statement.filter(status=StatementStatus.PAID).count() == len(statement_ids)
