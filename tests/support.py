"""Helpers for tests: GraphQL calls, factories that build members directly, codes from the outbox."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import httpx

from gateway.settings import Settings
from models.access import Permission, Role
from models.accounts.models import Account, new_account_number
from models.members.models import Member, MemberStatus, PermissionGrant, fold_username
from models.notify.outbox import OutboxMessage
from models.security.passwords import Passwords, normalise_answer

STRONG_PASSWORD = "correct horse battery staple 42"
OTHER_STRONG_PASSWORD = "violet tractor mountain sonnet 7"
CODE_LINE = re.compile(r"^(\d{6})$", re.MULTILINE)
TOKEN_LINK = re.compile(r"\?token=([A-Za-z0-9_\-]+)")


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    all_headers = dict(headers or {})
    if token:
        all_headers["authorization"] = f"Bearer {token}"
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=all_headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


@cache
def shared_passwords() -> Passwords:
    """One hasher for the factories (building one hashes a dummy password)."""
    return Passwords()


async def make_account(name: str = "The Smiths", number: str | None = None) -> Account:
    return await Account.create(
        number=number or new_account_number(),
        name=name,
        contact_email="smiths@example.com",
        time_zone="America/Chicago",
    )


async def make_member(
    account: Account,
    username: str,
    *,
    role: Role = Role.STANDARD,
    password: str = STRONG_PASSWORD,
    grants: tuple[Permission, ...] = (),
    passwords: Passwords | None = None,
    phone: str | None = None,
    status: MemberStatus = MemberStatus.ACTIVE,
    answer: str = "Rex",
) -> Member:
    hasher = passwords or shared_passwords()
    member = await Member.create(
        account_id=account.id,
        role=role,
        status=status,
        username=username,
        username_folded=fold_username(username),
        display_name=username.title(),
        email=f"{username.lower()}@example.com",
        phone=phone,
        phone_confirmed=phone is not None,
        password_hash=await hasher.hash(password),
        security_question="First pet?",
        security_answer_hash=await hasher.hash(normalise_answer(answer)),
    )
    for permission in grants:
        await PermissionGrant.create(member_id=member.id, permission=permission)
    return member


async def invited(
    account: Account, display_name: str = "Dana", role: Role = Role.STANDARD
) -> tuple[Member, str]:
    """A member invited to `account` and the token of their activation link."""
    from models.security.codes import issue_link_token
    from models.security.models import TokenPurpose

    member = await Member.create(
        account_id=account.id,
        role=role,
        status=MemberStatus.INVITED,
        display_name=display_name,
        email=f"{display_name.lower()}@example.com",
    )
    return member, await issue_link_token(member.id, TokenPurpose.ACTIVATION, 72 * 3600)


SIGN_IN = """
mutation SignIn($input: SignInInput!) {
  signIn(input: $input) { token lockedUntil member { id username } challenge { id channels sentTo }
    errors { code field message } }
}
"""

REQUEST_STEP_UP = "mutation { requestStepUpCode { challenge { id sentTo } errors { code } } }"
VERIFY_STEP_UP = """
mutation($code: String!) { verifyStepUp(code: $code) { session { elevatedUntil } errors { code field } } }
"""


async def sign_in(
    client: httpx.AsyncClient, username: str, password: str = STRONG_PASSWORD, **extra: Any
) -> str:
    body = await gql(client, SIGN_IN, {"input": {"username": username, "password": password, **extra}})
    payload = body["data"]["signIn"]
    assert payload["errors"] == [], payload
    token: str = payload["token"]
    return token


async def last_message(recipient: str, kind: str | None = None) -> OutboxMessage:
    query = OutboxMessage.filter(recipient=recipient)
    if kind:
        query = query.filter(kind=kind)
    message = await query.order_by("-id").first()
    assert message is not None, f"no message to {recipient}"
    return message


async def last_code(recipient: str) -> str:
    message = await last_message(recipient, "CODE")
    match = CODE_LINE.search(message.body)
    assert match, message.body
    return match.group(1)


def token_in(body: str) -> str:
    match = TOKEN_LINK.search(body)
    assert match, body
    return match.group(1)


async def step_up(client: httpx.AsyncClient, token: str, email: str) -> None:
    body = await gql(client, REQUEST_STEP_UP, token=token)
    assert body["data"]["requestStepUpCode"]["errors"] == [], body
    body = await gql(client, VERIFY_STEP_UP, {"code": await last_code(email)}, token=token)
    assert body["data"]["verifyStepUp"]["errors"] == [], body


class _QueryCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith(("Created connection", "Closed connection")):
            self.statements.append(message)


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """The SQL statements run inside the block, as tortoise logs them (one DEBUG record each)."""
    logger = logging.getLogger("tortoise.db_client")
    counter = _QueryCounter()
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    try:
        yield counter.statements
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)


async def carry_out_reset_requests() -> None:
    """What the worker's relay does with recorded requestPasswordReset calls (with the test settings)."""
    from models.security.recovery import ResetDelivery, carry_out_requests
    from tests.conftest import TEST_SECRET

    await carry_out_requests(ResetDelivery("http://portal.test", TEST_SECRET, 600))


async def run_worker_burst(settings: Settings) -> None:
    """Deliver every due outbox message with a real arq worker in burst mode (the database is open)."""
    from workers.runner import run_burst

    await run_burst(settings, database_open=True)


VERIFY_SIGN_IN = """
mutation($input: VerifySignInInput!) { verifySignIn(input: $input) { token errors { code field } } }
"""


async def sign_in_with_code(
    client: httpx.AsyncClient, username: str, password: str = STRONG_PASSWORD, **extra: Any
) -> str:
    """Sign in from a device that gets a challenge, answering it with the e-mailed code."""
    body = await gql(client, SIGN_IN, {"input": {"username": username, "password": password, **extra}})
    payload = body["data"]["signIn"]
    assert payload["errors"] == [], payload
    assert payload["challenge"] is not None, payload
    member = await Member.get(username=username)
    code = await last_code(member.email)
    body = await gql(
        client, VERIFY_SIGN_IN, {"input": {"challengeId": payload["challenge"]["id"], "code": code}}
    )
    assert body["data"]["verifySignIn"]["errors"] == [], body
    token: str = body["data"]["verifySignIn"]["token"]
    return token
