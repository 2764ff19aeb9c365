"""Password recovery: requestPasswordReset and resetPassword (link or SMS code, plus the security answer)."""

from __future__ import annotations

from datetime import datetime
from hashlib import sha256

import strawberry

from models.members.models import Channel, Member, fold_username
from models.security.activation import MAX_ANSWER
from models.security.guard import Claimant, Secret
from models.security.models import OneTimeToken
from models.security.passwords import normalise_answer
from models.security.recovery import (
    complete_reset,
    live_reset_codes,
    live_reset_link,
    members_for_login,
    record_request,
    refund_attempt,
    reserve_attempt,
    reset_code_matches,
)
from schema.context import Context
from schema.enums import ChannelEnum
from schema.errors import ErrorCode, UserError, user_error
from schema.node import given
from schema.permissions import Info
from schema.security.guarded import check_secret, refuse_throttled_ip
from schema.security.types import OkPayload, ok, refused


@strawberry.input
class RequestPasswordResetInput:
    login: str = strawberry.field(description="A username or an e-mail address.")
    channel: ChannelEnum | None = Channel.EMAIL


@strawberry.input
class ResetPasswordInput:
    token: str | None = strawberry.field(default=strawberry.UNSET, description="From the e-mailed link.")
    code: str | None = strawberry.field(default=strawberry.UNSET, description="The SMS code, with `login`.")
    login: str | None = strawberry.field(
        default=strawberry.UNSET, description="The same login the reset was requested for."
    )
    new_password: str
    security_answer: str


@strawberry.type(description="What an e-mailed password-reset link opens with.")
class PasswordResetLink:
    security_question: str = strawberry.field(description="The question the reset's answer is for.")
    expires_at: datetime


@strawberry.type
class Query:
    @strawberry.field(
        description="The reset link's security question, so the page can show it before the member types; "
        "null when the link is not valid (unknown, used, expired). Readable by whoever holds the link, as "
        "the link itself is: it names no one and checks no secret."
    )
    async def password_reset_link(self, token: str) -> PasswordResetLink | None:
        found = await live_reset_link(token)
        question = found[0].security_question if found else None
        if found is None or not question:
            return None
        return PasswordResetLink(security_question=question, expires_at=found[1].expires_at)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Answers ok whether or not the login exists, in the same time: the worker sends the "
        "link or code within seconds."
    )
    async def request_password_reset(self, info: Info, input: RequestPasswordResetInput) -> OkPayload:
        context = info.context
        await refuse_throttled_ip(context)
        await record_request(input.login, input.channel or Channel.EMAIL, context.client.ip_address)
        return ok()

    @strawberry.mutation
    async def reset_password(self, info: Info, input: ResetPasswordInput) -> OkPayload:
        async with info.context.passwords.admitted():  # a credential check: admitted as signIn's are
            return await _reset_password(info, input)


async def _reset_row(
    context: Context, input: ResetPasswordInput
) -> tuple[Member, OneTimeToken, UserError] | UserError:
    """The member and live reset row the token or code names (not used up), with the error once it dies."""
    token, code, login = given(input.token), given(input.code), given(input.login)
    if token is not None:
        invalid = user_error(ErrorCode.INVALID_TOKEN, "This link is not valid any more.", "token")
        link = await live_reset_link(token)
        return invalid if link is None else (*link, invalid)
    if code is not None and login is not None:
        invalid = user_error(ErrorCode.INVALID_CODE, "The code is wrong, expired or used up.", "code")
        found = await _reset_code_row(context, login, code[:20])
        return (*found, invalid) if found is not None else invalid
    return user_error(
        ErrorCode.INVALID_INPUT, "Give the token from the link, or the SMS code with its login.", "token"
    )


async def _reset_code_row(context: Context, login: str, code: str) -> tuple[Member, OneTimeToken] | None:
    """The member and live SMS reset row `code` answers, each guess through the guard: it counts for the
    member (and the row), for the address and in the activity log; a login nobody has counts alike."""
    ip_address = context.client.ip_address
    candidates = await live_reset_codes(await members_for_login(login))
    for member, row in candidates:

        async def matches(row: OneTimeToken = row) -> bool:
            return await reset_code_matches(row, code, context.settings.secret_key)

        verdict = await check_secret(context, Claimant.of(member, ip_address), Secret.RESET_CODE, matches)
        if verdict.accepted:
            return member, row
    if not candidates:

        async def nothing_matches() -> bool:
            return False

        nobody = Claimant(f"r:{sha256(fold_username(login).encode()).hexdigest()[:32]}", None, ip_address)
        await check_secret(context, nobody, Secret.RESET_CODE, nothing_matches)
    return None


async def _reset_password(info: Info, input: ResetPasswordInput) -> OkPayload:
    context = info.context
    await refuse_throttled_ip(context)
    found = await _reset_row(context, input)
    if isinstance(found, UserError):
        return refused(found)
    member, row, dead = found
    if not await reserve_attempt(row):
        return refused(dead)
    answer = input.security_answer if len(input.security_answer) <= MAX_ANSWER else ""

    async def verify() -> bool:
        return await context.passwords.verify(member.security_answer_hash, normalise_answer(answer))

    claimant = Claimant.of(member, context.client.ip_address)
    if not (await check_secret(context, claimant, Secret.SECURITY_ANSWER, verify)).accepted:
        return refused(
            user_error(ErrorCode.WRONG_SECURITY_ANSWER, "The answer is not right.", "securityAnswer")
        )
    await refund_attempt(row)
    problem = await context.passwords.problem(
        input.new_password, [member.display_name, member.username, member.email]
    )
    if problem is not None:
        return refused(user_error(ErrorCode.WEAK_PASSWORD, problem, "newPassword"))
    password_hash = await context.passwords.hash(input.new_password)
    if not await complete_reset(member, row, password_hash, context.client.ip_address):
        return refused(dead)
    return ok()
