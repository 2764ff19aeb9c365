"""Signing in and stepping up with a passkey: an assertion for a live challenge of its flow, checked by
py_webauthn (origin, RP id, user verification, signature) through the guard, then the sign count.

A user-verified passkey is two factors at once: it signs in without a challenge, makes the device
familiar and opens the step-up window. Unknown usernames and unknown credentials answer as a wrong
assertion does; a sign count that goes backwards (a copied authenticator) is refused and e-mailed."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, replace
from datetime import timedelta

from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    options_to_json,
    verify_authentication_response,
)
from webauthn.helpers import bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidJSONStructure
from webauthn.helpers.structs import (
    AuthenticationCredential,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    UserVerificationRequirement,
)

from models import activity
from models.activity import ActivityKind
from models.db.clock import utcnow
from models.members.models import Member, MemberStatus, fold_username, holder_of
from models.notify import messages
from models.notify.outbox import MessageKind
from models.notify.send import email_member
from models.security.attempts import (
    Gate,
    Refused,
    SessionHolder,
    SignedIn,
    check,
    refuse_throttled_ip,
    refuse_unless_accepted,
)
from models.security.devices import invalid_device_id, is_familiar
from models.security.errors import Refusal
from models.security.guard import Claimant, Guard, Secret, Verdict
from models.security.models import Passkey, PasskeyFlow, Session
from models.security.passkeys import MAX_CREDENTIAL_JSON, RelyingParty, refused_passkey
from models.security.sessions import ClientInfo, open_session
from models.security.step_up import elevate
from models.security.tokens import hash_token
from models.security.webauthn_challenges import CHALLENGE_SECONDS, challenge_in, claim, issue

SIGN_IN_LOCKED = "Too many failed sign-ins: signing in is locked for a while."


@dataclass(frozen=True)
class Assertion:
    """An assertion as sent, parsed (None when it is not one), and the challenge it answers."""

    parsed: AuthenticationCredential | None
    challenge: bytes | None

    @classmethod
    def of(cls, credential: str) -> Assertion:
        parsed = None
        if len(credential) <= MAX_CREDENTIAL_JSON:
            try:
                parsed = parse_authentication_credential_json(credential)
            except (InvalidJSONStructure, InvalidAuthenticationResponse, ValueError, TypeError, KeyError):
                parsed = None
        return cls(parsed, challenge_in(parsed.response.client_data_json) if parsed else None)

    @property
    def credential_id(self) -> str:
        return self.parsed.id[:1400] if self.parsed else ""


def _options(party: RelyingParty, challenge: bytes, allowed: list[tuple[str, list[str]]]) -> str:
    descriptors = [
        PublicKeyCredentialDescriptor(
            id=base64url_to_bytes(credential_id),
            transports=[AuthenticatorTransport(t) for t in transports if t in _TRANSPORTS],
        )
        for credential_id, transports in allowed
    ]
    options = generate_authentication_options(
        rp_id=party.id,
        challenge=challenge,
        timeout=CHALLENGE_SECONDS * 1000,
        allow_credentials=descriptors,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json(options)


_TRANSPORTS = {transport.value for transport in AuthenticatorTransport}


async def _allowed(member_id: int) -> list[tuple[str, list[str]]]:
    rows = await Passkey.filter(member_id=member_id).order_by("id").values_list("credential_id", "transports")
    return [(str(credential_id), list(transports or [])) for credential_id, transports in rows]


async def begin_sign_in(party: RelyingParty, username: str | None, ip_address: str | None) -> str:
    """navigator.credentials.get()'s options (JSON). Without a username any discoverable passkey may
    answer; with one only that member's, listed; a username nobody has (or with no passkey) lists a
    stand-in derived from it, so the answer looks alike."""
    await refuse_throttled_ip(ip_address)
    if username is None:
        return _options(party, await issue(PasskeyFlow.SIGN_IN), [])
    found = await holder_of(username[:254])
    member = found if found is not None and found.username == username else None
    allowed = await _allowed(member.id if member else 0)
    if not allowed:
        stand_in = hmac.new(
            party.handle_key.encode(), f"stand-in:{fold_username(username)}".encode(), "sha256"
        )
        allowed = [(bytes_to_base64url(stand_in.digest()), [])]
    challenge = await issue(PasskeyFlow.SIGN_IN, member.id if member else None, named=True)
    return _options(party, challenge, allowed)


async def finish_sign_in(
    gate: Gate, party: RelyingParty, credential: str, device_id: str, client: ClientInfo, step_up_seconds: int
) -> SignedIn:
    """A session for the passkey's member, stepped up, from a device now familiar."""
    if invalid_device_id(device_id):
        raise Refused(Refusal.INVALID_INPUT, "deviceId is too long.", "deviceId")
    assertion = Assertion.of(credential)
    row = await claim(assertion.challenge, PasskeyFlow.SIGN_IN)
    passkey = await Passkey.get_or_none(credential_id=assertion.credential_id)
    member = await Member.get_or_none(id=passkey.member_id) if passkey is not None else None
    if row is not None and passkey is not None and row.named and row.member_id != passkey.member_id:
        passkey = None  # a passkey of another member than the username given
    familiar = False
    if member is not None:
        familiar = await is_familiar(member.id, device_id)
        claimant = Claimant.of(member, client.ip_address, device_id if familiar else None)
    else:
        unknown = hashlib.sha256(assertion.credential_id.encode()).hexdigest()[:32]
        claimant = Claimant(f"pk:{unknown}", None, client.ip_address)
    verdict = await _verify(gate.guard, claimant, party, assertion, passkey if row is not None else None)
    if verdict.locked_until is not None:
        raise Refused(Refusal.ACCOUNT_LOCKED, SIGN_IN_LOCKED, locked_until=verdict.locked_until)
    if not verdict.accepted or member is None:
        raise Refused(Refusal.INVALID_CREDENTIALS, "The passkey did not sign you in.")
    if member.status_enum is not MemberStatus.ACTIVE or member.removed_at is not None:
        raise Refused(Refusal.ACCOUNT_DISABLED, "This member can no longer sign in.")
    token = await open_session(member, replace(client, device_id=device_id), gate.sessions, "passkey")
    elevated_until = utcnow() + timedelta(seconds=step_up_seconds)
    await Session.filter(token_hash=hash_token(token)).update(elevated_until=elevated_until)
    return SignedIn(member, token, new_device=not familiar)


async def begin_step_up(holder: SessionHolder, party: RelyingParty) -> str:
    """Options for confirming it is them with one of their passkeys, bound to the holder's session."""
    allowed = await _allowed(holder.member.id)
    if not allowed:
        raise Refused(Refusal.NOT_FOUND, "You have no passkey: add one, or confirm with a code.")
    challenge = await issue(PasskeyFlow.STEP_UP, holder.member.id, holder.session.id)
    return _options(party, challenge, allowed)


async def finish_step_up(
    holder: SessionHolder, gate: Gate, party: RelyingParty, credential: str, seconds: int
) -> Session:
    """The holder's session stepped up by an assertion of one of their passkeys."""
    assertion = Assertion.of(credential)
    row = await claim(assertion.challenge, PasskeyFlow.STEP_UP, holder.member.id, holder.session.id)
    passkey = await Passkey.get_or_none(credential_id=assertion.credential_id, member_id=holder.member.id)
    verdict = await _verify(
        gate.guard, holder.claimant, party, assertion, passkey if row is not None else None
    )
    refuse_unless_accepted(verdict, refused_passkey())
    return await elevate(holder, seconds)


async def _verify(
    guard: Guard, claimant: Claimant, party: RelyingParty, assertion: Assertion, passkey: Passkey | None
) -> Verdict:
    """The assertion through the guard, by `passkey` (None: no live challenge or no such passkey, wrong)."""
    went_back = False

    async def verify() -> bool:
        nonlocal went_back
        if passkey is None or assertion.parsed is None or assertion.challenge is None:
            return False
        try:
            # The count is compared below, after the signature: only a real assertion may alert the member.
            verified = verify_authentication_response(
                credential=assertion.parsed,
                expected_challenge=assertion.challenge,
                expected_rp_id=party.id,
                expected_origin=party.origin,
                credential_public_key=base64url_to_bytes(passkey.public_key),
                credential_current_sign_count=0,
                require_user_verification=True,
            )
        except InvalidAuthenticationResponse:
            return False
        handle = assertion.parsed.response.user_handle
        if handle is not None and bytes_to_base64url(handle) != passkey.user_handle:
            return False
        count = verified.new_sign_count
        if (count > 0 or passkey.sign_count > 0) and count <= passkey.sign_count:
            went_back = True
            return False
        used = Passkey.filter(id=passkey.id, sign_count=passkey.sign_count)
        return await used.update(sign_count=count, last_used_at=utcnow()) == 1

    verdict = await check(guard, claimant, Secret.PASSKEY, verify)
    if went_back and passkey is not None and claimant.member is not None:
        await _alert_went_back(claimant.member, passkey, claimant.ip_address)
    return verdict


async def _alert_went_back(member: Member, passkey: Passkey, ip_address: str | None) -> None:
    """A validly signed assertion whose count did not go up: the passkey may have been copied."""
    await email_member(
        member,
        messages.notice(
            member.display_name,
            "A passkey of yours may have been copied",
            f'Your passkey "{passkey.name}" was just used with a signature counter lower than before, '
            "which can mean it was copied; we refused it. If this was not you, remove that passkey in the "
            "portal's Security page.",
        ),
        MessageKind.PASSKEY_COUNTER_WENT_BACK,
    )
    await activity.record_by(
        member,
        ActivityKind.PASSKEY_COUNTER_WENT_BACK,
        f'The passkey "{passkey.name}" of {member.display_name} answered with a counter that went back',
        ip_address=ip_address,
    )
