"""Production, black-box over HTTP: the Procfile's web and worker processes started for real
(`uvicorn --factory gateway.app:app_from_env`, `gateway worker`) with ENVIRONMENT=production, mail to a
local SMTP server and SMS to a local HTTP sink. Cookies are Secure and HSTS is sent; payments answer
PAYMENTS_UNAVAILABLE and take no money; a development back end left in the settings stops each entry
point with one line naming the setting."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from unittest.mock import ANY

import httpx
import pytest

from gateway.embedded_redis import free_port, start_embedded_redis
from gateway.settings import Settings
from models.access import Role
from models.billing.models import Payment
from models.notify.outbox import MessageStatus, OutboxMessage
from schema.ids import to_global_id
from tests.billing_support import add_card, issue, sandbox_charges
from tests.blackbox import stop
from tests.support import SIGN_IN, STRONG_PASSWORD, make_account, make_member
from tests.workers.support import SmtpServer, body_of, sms_provider, smtp_server

BIN = Path(sys.executable).parent
REPO = Path(__file__).parents[2]
START_SECONDS = 30.0
# The code alone on its line; over SMTP the lines end in CRLF.
CODE_LINE = re.compile(r"^(\d{6})\r?$", re.MULTILINE)

REQUEST_STEP_UP = "mutation { requestStepUpCode { challenge { id } errors { code } } }"
VERIFY_STEP_UP = "mutation($code: String!) { verifyStepUp(code: $code) { errors { code } } }"
ADD = """
mutation($input: AddPaymentMethodInput!) {
  addPaymentMethod(input: $input) { paymentMethod { last4 } errors { code field } }
}
"""
PAY_BILL = """
mutation($input: PayBillInput!) { payBill(input: $input) { payment { status } errors { code field } } }
"""
BALANCE = "{ account { balance { amount } } }"
UNAVAILABLE = [{"code": "PAYMENTS_UNAVAILABLE", "field": None}]
WEB = (
    str(BIN / "uvicorn"),
    "--factory",
    "gateway.app:app_from_env",
    "--host",
    "127.0.0.1",
    "--no-proxy-headers",
)
WORKER = (str(BIN / "gateway"), "worker")
SERVE = (str(BIN / "gateway"), "serve", "--host", "127.0.0.1")


def production_env(settings: Settings, **given: str) -> dict[str, str]:
    """Production's settings, each a real back end (the caller gives REDIS_URL, SMTP_URL and SMS_URL)."""
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "ENVIRONMENT": "production",
        "DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.database_url,
        "SECRET_KEY": settings.secret_key,
        "PUBLIC_URL": "https://portal.example.com",
        "TRUSTED_PROXIES": "none",
        **given,
    }
    return {name: value for name, value in environ.items() if value}


@dataclass
class Production:
    url: str
    smtp: SmtpServer
    logs: dict[str, Path]


@pytest.fixture
async def production(settings: Settings, tmp_path: Path) -> AsyncIterator[Production]:
    """The web and worker processes on the test database, with their own Redis."""
    redis = start_embedded_redis(tmp_path / "redis")
    port = free_port()
    logs = {"web": tmp_path / "web.log", "worker": tmp_path / "worker.log"}
    processes: list[asyncio.subprocess.Process] = []
    try:
        async with smtp_server() as smtp, sms_provider() as sms:
            environ = production_env(settings, REDIS_URL=redis.url, SMTP_URL=smtp.url, SMS_URL=sms.url)
            for name, command in (("web", (*WEB, "--port", str(port))), ("worker", WORKER)):
                with logs[name].open("wb") as log:
                    processes.append(
                        await asyncio.create_subprocess_exec(
                            *command, env=environ, cwd=REPO, stdout=log, stderr=asyncio.subprocess.STDOUT
                        )
                    )
            url = f"http://127.0.0.1:{port}"
            await until_ready(url, processes, logs)
            yield Production(url=url, smtp=smtp, logs=logs)
    finally:
        for process in processes:
            await stop(process)
        redis.stop()


async def until_ready(url: str, processes: list[asyncio.subprocess.Process], logs: dict[str, Path]) -> None:
    async with httpx.AsyncClient(base_url=url) as http:
        for _ in range(int(START_SECONDS / 0.1)):
            exited = [process for process in processes if process.returncode is not None]
            assert not exited, {name: path.read_text() for name, path in logs.items()}
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"the web process did not answer in {START_SECONDS} s")


async def gql(
    http: httpx.AsyncClient, query: str, variables: dict[str, object] | None = None, token: str | None = None
) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response


async def mailed_code(smtp: SmtpServer, to: str) -> str:
    """The one-time code the worker sent to `to` over SMTP."""
    for _ in range(100):
        for email in reversed(smtp.received):
            match = CODE_LINE.search(body_of(email))
            if email["To"] == to and match:
                return match.group(1)
        await asyncio.sleep(0.05)
    raise AssertionError(f"no code reached {to}: {[email['Subject'] for email in smtp.received]}")


async def worker_idle() -> None:
    """Wait until the worker has sent every message. On SQLite a write transaction that began by reading
    fails at once ("database is locked", no busy wait) when another process wrote meanwhile: the web and
    worker processes on one SQLite file must not write at the same moment."""
    for _ in range(100):
        if not await OutboxMessage.exclude(status=MessageStatus.SENT).exists():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the worker did not send every message in 5 s")


async def test_cookies_are_secure_hsts_is_sent_and_payments_take_no_money(production: Production) -> None:
    # given a primary member with an open statement and a card saved while a processor was configured
    account = await make_account()
    member = await make_member(account, "alice", role=Role.PRIMARY)
    card = await add_card(account, "tok_visa")
    await issue(account, 7999)
    await OutboxMessage.all().update(status=MessageStatus.SENT)  # its notice went out already
    async with httpx.AsyncClient(base_url=production.url) as http:
        # when they sign in over the real server
        signed_in = await gql(http, SIGN_IN, {"input": {"username": "alice", "password": STRONG_PASSWORD}})
        # then every cookie is Secure and the answer carries HSTS
        token = signed_in.json()["data"]["signIn"]["token"]
        cookies = {value.split("=", 1)[0]: value for value in signed_in.headers.get_list("set-cookie")}
        assert set(cookies) == {"session", "csrf", "device"}
        assert all("; secure" in value.lower() for value in cookies.values()), cookies
        assert signed_in.headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"
        await worker_idle()
        # when they step up with the code the worker mailed, then add the sandbox's test card
        requested = (await gql(http, REQUEST_STEP_UP, token=token)).json()
        assert requested == {"data": {"requestStepUpCode": {"challenge": ANY, "errors": []}}}
        code = await mailed_code(production.smtp, member.email)
        await worker_idle()
        verified = (await gql(http, VERIFY_STEP_UP, {"code": code}, token=token)).json()
        assert verified == {"data": {"verifyStepUp": {"errors": []}}}
        added = await gql(http, ADD, {"input": {"processorToken": "tok_visa"}}, token=token)
        # and pay the bill with the saved card
        given = {"paymentMethodId": to_global_id("PaymentMethod", card.id), "idempotencyKey": "key-1"}
        paid = await gql(http, PAY_BILL, {"input": given}, token=token)
        balance = await gql(http, BALANCE, token=token)
    # then both answer PAYMENTS_UNAVAILABLE, and no money moved
    assert added.json()["data"]["addPaymentMethod"] == {"paymentMethod": None, "errors": UNAVAILABLE}
    assert paid.json()["data"]["payBill"] == {"payment": None, "errors": UNAVAILABLE}
    assert balance.json()["data"]["account"]["balance"] == {"amount": 7999}
    assert await sandbox_charges() == []
    assert await Payment.all().count() == 0
    # and both processes said at startup why payments are off
    for name, log in production.logs.items():
        assert "PAYMENTS_UNAVAILABLE" in log.read_text(), name


# Each entry point of the Procfile and `gateway serve`, a setting left at (or set to) a development
# back end, and the one line it prints (tests/test_settings.py holds every refusal of the settings).
REFUSALS = [
    (
        WEB,
        "PUBLIC_URL",
        "http://localhost:8000",
        "gateway web: PUBLIC_URL must be an https:// URL in production, not 'http://localhost:8000'",
    ),
    (SERVE, "SMTP_URL", "", "gateway serve: ENVIRONMENT=production needs SMTP_URL set"),
    (
        WORKER,
        "TRUSTED_PROXIES",
        "",
        "gateway worker: ENVIRONMENT=production needs TRUSTED_PROXIES set"
        " (TRUSTED_PROXIES=none if no proxy or load balancer is in front)",
    ),
]


async def exit_of(command: tuple[str, ...], environ: dict[str, str]) -> tuple[int | None, str, str]:
    """Start a process and wait for it to exit: its status, stdout and stderr."""
    if command is not WORKER:
        command = (*command, "--port", str(free_port()))
    process = await asyncio.create_subprocess_exec(
        *command, env=environ, cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), START_SECONDS)
    finally:
        await stop(process)
    return process.returncode, stdout.decode(), stderr.decode()


async def test_a_development_back_end_stops_each_entry_point_in_one_line(settings: Settings) -> None:
    # given production's settings with one left at (or set to) a development back end
    real = {
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "SMTP_URL": "smtp://127.0.0.1:1",
        "SMS_URL": "http://127.0.0.1:1/messages",
    }
    starts = [
        exit_of(command, production_env(settings, **{**real, setting: value}))
        for command, setting, value, _ in REFUSALS
    ]
    # when each process starts (all at once: each spends its time importing)
    exits = await asyncio.gather(*starts)
    # then each exits with status 2, printing only one line that names the setting
    assert exits == [(2, "", f"{line}\n") for *_, line in REFUSALS]
