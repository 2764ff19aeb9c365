"""Signing in: the password, a challenge's second factor, and "this wasn't me".

At the top level of models/ because it composes security with the sign-in alerts (models/alerts.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

from models.alerts import alert_new_sign_in, is_risky
from models.alerts import secure_account as secure_member
from models.members.models import Member, MemberStatus, holder_of
from models.security import passkey_assertions
from models.security.attempts import (
    INVALID_LINK,
    WRONG_CODE,
    Gate,
    Guarded,
    Refused,
    SignedIn,
    check,
    throttled,
)
from models.security.challenges import IssuedChallenge, answer_challenge, start_challenge
from models.security.codes import TooManyCodes, find_link_token
from models.security.devices import invalid_device_id, is_familiar
from models.security.errors import Refusal
from models.security.guard import Claimant, Secret
from models.security.models import TokenPurpose
from models.security.passkeys import RelyingParty
from models.security.passwords import MAX_LENGTH
from models.security.sessions import ClientInfo, open_session

SIGN_IN_LOCKED = "Too many wrong passwords: signing in is locked for a while."


class SignInOutcome(StrEnum):
    """How a password sign-in ended, as the metrics label it."""

    SUCCESS = "success"
    CHALLENGED = "challenged"
    INVALID_CREDENTIALS = "invalid_credentials"
    LOCKED = "locked"
    DISABLED = "disabled"
    RATE_LIMITED = "rate_limited"
    INVALID_INPUT = "invalid_input"
    INTERNAL = "internal"


_REFUSED_OUTCOMES: dict[StrEnum, SignInOutcome] = {
    Refusal.INVALID_CREDENTIALS: SignInOutcome.INVALID_CREDENTIALS,
    Refusal.ACCOUNT_LOCKED: SignInOutcome.LOCKED,
    Refusal.ACCOUNT_DISABLED: SignInOutcome.DISABLED,
    Refusal.INVALID_INPUT: SignInOutcome.INVALID_INPUT,
    Guarded.RATE_LIMITED: SignInOutcome.RATE_LIMITED,
}
_sign_in_observers: list[Callable[[SignInOutcome], None]] = []


def observe_sign_ins(observer: Callable[[SignInOutcome], None]) -> None:
    """Call `observer` with the outcome of every password sign-in (metrics count them). Idempotent."""
    if observer not in _sign_in_observers:
        _sign_in_observers.append(observer)


def _report(outcome: SignInOutcome) -> None:
    for observer in _sign_in_observers:
        observer(outcome)


@dataclass(frozen=True)
class Login:
    """A password sign-in's input: the login as typed, the password, and the device it comes from."""

    username: str
    password: str
    device_id: str


@dataclass(frozen=True)
class Challenged:
    """A right password from an unfamiliar device with risk: a second factor must follow."""

    challenge: IssuedChallenge


async def sign_in(gate: Gate, login: Login, client: ClientInfo) -> SignedIn | Challenged:
    """The password sign-in through the guard (throttle, lockout), then a session, or a challenge when
    the device is unfamiliar and the sign-in risky. Callers admit it first (Passwords.admitted). Its
    outcome goes to the observers (observe_sign_ins)."""
    try:
        outcome = await _sign_in(gate, login, client)
    except Refused as refusal:
        _report(_REFUSED_OUTCOMES[refusal.reason])
        raise
    except Exception:
        _report(SignInOutcome.INTERNAL)
        raise
    _report(SignInOutcome.CHALLENGED if isinstance(outcome, Challenged) else SignInOutcome.SUCCESS)
    return outcome


async def _sign_in(gate: Gate, login: Login, client: ClientInfo) -> SignedIn | Challenged:
    device_id = login.device_id
    if invalid_device_id(device_id):
        raise Refused(Refusal.INVALID_INPUT, "deviceId is too long.", "deviceId")
    # A differently-cased login still counts, e-mails and logs for the member who holds it; only the
    # exact username signs in.
    holder = await holder_of(login.username)
    member = holder if holder is not None and holder.username == login.username else None
    # The device query runs for unknown usernames too (no member has id 0): the same work, the same time.
    familiar = await is_familiar(holder.id if holder else 0, device_id) and holder is not None
    claimant = Claimant.of_login(login.username, holder, client.ip_address, device_id if familiar else None)
    password = login.password if len(login.password) <= MAX_LENGTH else ""
    challenged = False

    async def verify() -> bool:
        verified = await gate.passwords.verify(member.password_hash if member else None, password)
        return member is not None and verified and member.status_enum is not MemberStatus.INVITED

    async def proven() -> bool:
        nonlocal challenged
        assert member is not None
        challenged = not familiar and await is_risky(member)
        return not challenged

    verdict = await check(gate.guard, claimant, Secret.PASSWORD, verify, proven)
    if verdict.locked_until is not None:
        raise Refused(Refusal.ACCOUNT_LOCKED, SIGN_IN_LOCKED, locked_until=verdict.locked_until)
    if not verdict.accepted or member is None:
        raise Refused(Refusal.INVALID_CREDENTIALS, "The username or password is not right.")
    _refuse_disabled(member)
    if member.password_hash and gate.passwords.needs_rehash(member.password_hash):
        member.password_hash = await gate.passwords.hash(password)
        await Member.filter(id=member.id).update(password_hash=member.password_hash)
    if challenged:
        try:
            return Challenged(await start_challenge(member, device_id, gate.codes, client.ip_address))
        except TooManyCodes as refused_codes:
            raise throttled(refused_codes.retry_after) from None
    token = await open_session(member, replace(client, device_id=device_id), gate.sessions, "password")
    if not familiar:
        await alert_new_sign_in(member, client, gate.public_url)
    return SignedIn(member, token)


async def verify_sign_in(gate: Gate, challenge_pk: int | None, code: str, client: ClientInfo) -> SignedIn:
    """Answer a sign-in challenge with its e-mailed or texted code or a TOTP code: then a session."""
    answered = await answer_challenge(gate.guard, challenge_pk, code, gate.codes, client.ip_address)
    member, verdict = answered.member, answered.verdict
    if verdict.locked_until is not None:
        raise Refused(Refusal.ACCOUNT_LOCKED, SIGN_IN_LOCKED, locked_until=verdict.locked_until)
    if not verdict.accepted or member is None:
        raise Refused(Refusal.INVALID_CODE, WRONG_CODE, "code")
    _refuse_disabled(member)
    session_client = replace(client, device_id=answered.device_id)
    token = await open_session(member, session_client, gate.sessions, "password and code")
    await alert_new_sign_in(member, client, gate.public_url)
    return SignedIn(member, token)


async def sign_in_with_passkey(
    gate: Gate, party: RelyingParty, credential: str, device_id: str, client: ClientInfo, step_up_seconds: int
) -> SignedIn:
    """A passkey's sign-in (models/security/passkey_assertions.py); from a device that had not signed in
    before, the member is alerted as after a password's: a passkey synced to a stolen cloud account
    signs in too, and the member should hear of a device they do not know."""
    signed = await passkey_assertions.finish_sign_in(
        gate, party, credential, device_id, client, step_up_seconds
    )
    if signed.new_device:
        await alert_new_sign_in(signed.member, replace(client, device_id=device_id), gate.public_url)
    return signed


async def secure_account(token: str, ip_address: str | None) -> None:
    """ "This wasn't me": the e-mailed link revokes all sessions and locks sign-in until a password reset."""
    row = await find_link_token(token, TokenPurpose.SECURE_ACCOUNT)
    if row is None or await secure_member(row, ip_address) is None:
        raise Refused(Refusal.INVALID_TOKEN, INVALID_LINK, "token")


def _refuse_disabled(member: Member) -> None:
    if member.status_enum is MemberStatus.DISABLED or member.removed_at is not None:
        raise Refused(Refusal.ACCOUNT_DISABLED, "This member can no longer sign in.")
