"""Passkeys (WebAuthn, py_webauthn): a stepped-up member registers one, names, renames and removes it;
each change e-mails the member and is logged. Signing in and stepping up with one:
models/security/passkey_assertions.py."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlsplit

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction
from webauthn import (
    base64url_to_bytes,
    generate_registration_options,
    options_to_json,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url, parse_registration_credential_json
from webauthn.helpers.exceptions import InvalidJSONStructure, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    RegistrationCredential,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from models.activity import ActivityKind
from models.db.clock import utcnow
from models.members.contact import has_control_characters
from models.notify import messages
from models.notify.outbox import MessageKind
from models.notify.send import email_member
from models.security.attempts import Refused, SessionHolder
from models.security.errors import Refusal
from models.security.models import Passkey, PasskeyFlow
from models.security.webauthn_challenges import CHALLENGE_SECONDS, challenge_in, claim, issue

MAX_NAME = 64
MAX_PASSKEYS = 20
MAX_CREDENTIAL_JSON = 20_000
INVALID_PASSKEY = (
    "The passkey could not be checked: its challenge is unknown, used or expired, or it is not valid here."
)


@dataclass(frozen=True)
class RelyingParty:
    """Who passkeys are for: the RP id and origin (from PUBLIC_URL), the name shown, and the key that
    derives a member's WebAuthn user handle."""

    id: str
    origin: str
    handle_key: str
    name: str = "Account Gateway"

    @classmethod
    def of(cls, public_url: str, secret_key: str) -> RelyingParty:
        parts = urlsplit(public_url)
        return cls(
            id=parts.hostname or "localhost", origin=f"{parts.scheme}://{parts.netloc}", handle_key=secret_key
        )


def refused_passkey(message: str = INVALID_PASSKEY) -> Refused:
    return Refused(Refusal.INVALID_PASSKEY, message, "credential")


async def _user_handle(member_id: int, party: RelyingParty) -> str:
    """The handle the member's passkeys carry: an earlier passkey's, else one derived from the member id
    (no name or e-mail in it, as WebAuthn asks)."""
    earlier = await Passkey.filter(member_id=member_id).order_by("id").first()
    if earlier is not None:
        return earlier.user_handle
    derived = hmac.new(party.handle_key.encode(), f"webauthn-user:{member_id}".encode(), hashlib.sha256)
    return bytes_to_base64url(derived.digest())


async def begin_registration(holder: SessionHolder, party: RelyingParty) -> str:
    """navigator.credentials.create()'s options (JSON): a resident key preferred, user verification
    required, the member's passkeys excluded; the challenge is bound to the holder's session."""
    member = holder.member
    existing = await Passkey.filter(member_id=member.id).values_list("credential_id", flat=True)
    if len(existing) >= MAX_PASSKEYS:
        raise Refused(Refusal.INVALID_INPUT, f"A member may keep at most {MAX_PASSKEYS} passkeys.")
    handle = await _user_handle(member.id, party)
    challenge = await issue(PasskeyFlow.REGISTRATION, member.id, holder.session.id)
    options = generate_registration_options(
        rp_id=party.id,
        rp_name=party.name,
        user_name=member.username or member.email,
        user_id=_decode(handle),
        user_display_name=member.display_name,
        challenge=challenge,
        timeout=CHALLENGE_SECONDS * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=_decode(str(cid))) for cid in existing],
    )
    return options_to_json(options)


async def finish_registration(
    holder: SessionHolder, party: RelyingParty, name: str, credential: str
) -> Passkey:
    """Store the new passkey the authenticator made for the holder's live registration challenge."""
    member, name = holder.member, _valid_name(name)
    parsed = _parsed_registration(credential)
    challenge = challenge_in(parsed.response.client_data_json) if parsed else None
    row = await claim(challenge, PasskeyFlow.REGISTRATION, member.id, holder.session.id)
    if parsed is None or challenge is None or row is None:
        raise refused_passkey()
    try:
        verified = verify_registration_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=party.id,
            expected_origin=party.origin,
            require_user_verification=True,
        )
    except InvalidRegistrationResponse:
        raise refused_passkey() from None
    transports = [transport.value for transport in parsed.response.transports or []]
    try:
        async with in_transaction() as connection:
            passkey = await Passkey.create(
                member_id=member.id,
                credential_id=bytes_to_base64url(verified.credential_id),
                user_handle=await _user_handle(member.id, party),
                public_key=bytes_to_base64url(verified.credential_public_key),
                sign_count=verified.sign_count,
                transports=transports,
                aaguid=verified.aaguid,
                name=name,
                created_at=utcnow(),
                using_db=connection,
            )
            await _tell(
                holder,
                "A passkey was added",
                f'added the passkey "{name}"',
                ActivityKind.PASSKEY_ADDED,
                connection,
            )
    except IntegrityError:
        raise refused_passkey("This passkey is registered already.") from None
    return passkey


async def rename(holder: SessionHolder, passkey_pk: int | None, name: str) -> Passkey:
    """Give one of the holder's passkeys a new name."""
    name = _valid_name(name)
    async with in_transaction() as connection:
        passkey = await _own(holder, passkey_pk)
        old = passkey.name
        passkey.name = name
        await passkey.save(update_fields=["name"], using_db=connection)
        await _tell(
            holder,
            "A passkey was renamed",
            f'renamed the passkey "{old}" to "{name}"',
            ActivityKind.PASSKEY_RENAMED,
            connection,
        )
    return passkey


async def remove(holder: SessionHolder, passkey_pk: int | None) -> None:
    """Delete one of the holder's passkeys: it signs in no more."""
    async with in_transaction() as connection:
        passkey = await _own(holder, passkey_pk)
        if await Passkey.filter(id=passkey.id).using_db(connection).delete() != 1:
            raise Refused(Refusal.NOT_FOUND, "No such passkey.", "id")
        await _tell(
            holder,
            "A passkey was removed",
            f'removed the passkey "{passkey.name}"',
            ActivityKind.PASSKEY_REMOVED,
            connection,
        )


async def passkeys_of(member_id: int) -> list[Passkey]:
    return await Passkey.filter(member_id=member_id).order_by("id")


async def _own(holder: SessionHolder, passkey_pk: int | None) -> Passkey:
    passkey = await Passkey.get_or_none(id=passkey_pk or 0, member_id=holder.member.id)
    if passkey is None:
        raise Refused(Refusal.NOT_FOUND, "No such passkey.", "id")
    return passkey


async def _tell(
    holder: SessionHolder, subject: str, what: str, kind: ActivityKind, connection: BaseDBAsyncClient
) -> None:
    member = holder.member
    sentence = f"{member.display_name} {what}."
    await email_member(
        member,
        messages.notice(member.display_name, subject, sentence),
        MessageKind.PASSKEY_CHANGED,
        using_db=connection,
    )
    await holder.record(kind, f"{member.display_name} {what}", using_db=connection)


def _valid_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME or has_control_characters(name):
        raise Refused(Refusal.INVALID_INPUT, f"Name the passkey in 1 to {MAX_NAME} characters.", "name")
    return name


def _parsed_registration(credential: str) -> RegistrationCredential | None:
    if len(credential) > MAX_CREDENTIAL_JSON:
        return None
    try:
        return parse_registration_credential_json(credential)
    except (InvalidJSONStructure, InvalidRegistrationResponse, ValueError, TypeError, KeyError):
        return None


def _decode(value: str) -> bytes:
    return base64url_to_bytes(value)
