"""Activation: an invited member's e-mailed link sets their username, password and security question."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import activity
from models.accounts.models import Account
from models.activity import ActivityKind
from models.db.clock import utcnow
from models.members.contact import CONTROL_CHARACTERS_MESSAGE, has_control_characters
from models.members.models import USERNAME_PATTERN, Member, MemberStatus, fold_username
from models.security.attempts import INVALID_LINK, Gate, Refused, SignedIn, check
from models.security.codes import find_link_token, use_token
from models.security.devices import invalid_device_id
from models.security.errors import Refusal
from models.security.guard import Claimant, Secret
from models.security.models import TokenPurpose
from models.security.passwords import Identity, normalise_answer
from models.security.sessions import ClientInfo, open_session

MAX_QUESTION = 200
MAX_ANSWER = 200


@dataclass(frozen=True)
class Activation:
    token: str
    username: str
    password: str
    security_question: str
    security_answer: str


@dataclass(frozen=True)
class ActivationLink:
    """What a live activation link opens with: whom it invites, to which account, until when."""

    display_name: str
    account_name: str
    expires_at: datetime


async def activation_link(token: str) -> ActivationLink | None:
    """The live link's invitee and account, without using the link; None when it is unknown, used, expired
    or its member is no longer waiting to activate."""
    row = await find_link_token(token, TokenPurpose.ACTIVATION)
    member = await Member.get_or_none(id=row.member_id) if row else None
    if row is None or member is None or member.status_enum is not MemberStatus.INVITED:
        return None
    account = await Account.get(id=member.account_id)
    return ActivationLink(member.display_name, account.name, row.expires_at)


async def activate(gate: Gate, activation: Activation, device_id: str | None, client: ClientInfo) -> SignedIn:
    """The invited member becomes ACTIVE with the link's one use, in one commit; then a session."""
    row = await find_link_token(activation.token, TokenPurpose.ACTIVATION)
    member = await Member.get_or_none(id=row.member_id) if row else None
    if row is None or member is None or member.status_enum is not MemberStatus.INVITED:
        raise Refused(Refusal.INVALID_TOKEN, INVALID_LINK)
    await _check(gate, member, activation, client.ip_address)
    if invalid_device_id(device_id):
        raise Refused(Refusal.INVALID_INPUT, "deviceId is too long.", "deviceId")
    password_hash, answer_hash = await asyncio.gather(
        gate.passwords.hash(activation.password),
        gate.passwords.hash(normalise_answer(activation.security_answer)),
    )
    try:
        async with in_transaction() as connection:
            if not await use_token(row, using_db=connection):
                raise Refused(Refusal.INVALID_TOKEN, INVALID_LINK)
            member.username = activation.username
            member.username_folded = fold_username(activation.username)
            member.password_hash = password_hash
            member.security_question = activation.security_question.strip()
            member.security_answer_hash = answer_hash
            member.status = MemberStatus.ACTIVE
            member.password_changed_at = utcnow()
            await member.save(using_db=connection)
            await activity.record_by(
                member,
                ActivityKind.MEMBER_ACTIVATED,
                f"{member.display_name} activated their membership as {member.username}",
                ip_address=client.ip_address,
                using_db=connection,
            )
    except IntegrityError:
        raise _username_taken() from None
    session_client = replace(client, device_id=device_id)
    token = await open_session(member, session_client, gate.sessions, "activation")
    return SignedIn(member, token)


async def _check(gate: Gate, member: Member, activation: Activation, ip_address: str | None) -> None:
    if not USERNAME_PATTERN.fullmatch(activation.username):
        raise Refused(
            Refusal.INVALID_USERNAME, "Use 3 to 32 letters, digits, dots, underscores or dashes.", "username"
        )
    await _refuse_taken_username(gate, member, activation.username, ip_address)
    problem = await gate.passwords.problem(activation.password, Identity.of(member, activation.username))
    if problem is not None:
        raise Refused(Refusal.WEAK_PASSWORD, problem, "password")
    question, answer = activation.security_question, activation.security_answer
    if not question.strip() or len(question) > MAX_QUESTION:
        raise Refused(
            Refusal.INVALID_INPUT, f"Give a question of 1 to {MAX_QUESTION} characters.", "securityQuestion"
        )
    if has_control_characters(question):
        raise Refused(Refusal.INVALID_INPUT, CONTROL_CHARACTERS_MESSAGE, "securityQuestion")
    if not normalise_answer(answer) or len(answer) > MAX_ANSWER:
        raise Refused(
            Refusal.INVALID_INPUT, f"Give an answer of 1 to {MAX_ANSWER} characters.", "securityAnswer"
        )
    if has_control_characters(answer):
        raise Refused(Refusal.INVALID_INPUT, CONTROL_CHARACTERS_MESSAGE, "securityAnswer")


async def _refuse_taken_username(gate: Gate, member: Member, username: str, ip_address: str | None) -> None:
    """USERNAME_TAKEN through the guard: each taken answer counts for the link and the address, so a
    link is no oracle of which usernames exist (the 5th locks it for a while). A free one counts
    nothing: it tells only what does not exist, and parallel activations must not lock each other."""
    if not await Member.filter(username_folded=fold_username(username)).exists():
        return

    async def taken() -> bool:
        return False

    verdict = await check(gate.guard, Claimant.of(member, ip_address), Secret.USERNAME, taken)
    if verdict.locked_until is not None:
        raise Refused(
            Refusal.ACCOUNT_LOCKED,
            "Too many taken usernames were tried with this link: try again in a while.",
            "username",
        )
    raise _username_taken()


def _username_taken() -> Refused:
    return Refused(Refusal.USERNAME_TAKEN, "This username is taken.", "username")
