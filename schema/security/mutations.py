"""Sign-in, activation, sessions, step-up and password change."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import strawberry
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import activity
from models.alerts import alert_new_sign_in, is_risky
from models.alerts import secure_account as secure_member
from models.db.clock import utcnow
from models.members.contact import CONTROL_CHARACTERS_MESSAGE, has_control_characters
from models.members.models import USERNAME_PATTERN, Channel, Member, MemberStatus, fold_username, holder_of
from models.notify import messages
from models.notify.send import email_member, send_code
from models.security import throttle
from models.security.codes import TooManyCodes, find_link_token, issue_code, redeem_code, use_token
from models.security.devices import is_familiar
from models.security.guard import Claimant, Secret
from models.security.lockout import end_lock
from models.security.models import Session, TokenPurpose
from models.security.passwords import MAX_LENGTH, normalise_answer
from models.security.sessions import revoke_sessions
from models.security.totp import accept_totp_code
from schema.context import Context
from schema.enums import ChannelEnum
from schema.errors import ErrorCode, UserError, rate_limited, too_many_codes, user_error
from schema.ids import pk_of, to_global_id
from schema.members.types import MemberType, SessionType
from schema.node import given
from schema.permissions import Info, IsMember, principal_of
from schema.security.challenges import answer_challenge, start_challenge
from schema.security.guarded import check_secret, refusal, session_claimant
from schema.security.sessions import MAX_DEVICE_ID, clear_session_cookies, device_of, establish_session
from schema.security.types import (
    ActivateMemberInput,
    Challenge,
    ChangePasswordInput,
    OkPayload,
    SignInInput,
    SignInPayload,
    StepUpPayload,
    VerifySignInInput,
    ok,
    refused,
)

MAX_QUESTION = 200
MAX_ANSWER = 200
STEP_UP_PURPOSE = "confirm it is you"


def invalid_device_id(device_id: str | None) -> bool:
    value = given(device_id)
    return value is not None and not (0 < len(value) <= MAX_DEVICE_ID)


async def _sign_in(context: Context, input: SignInInput) -> SignInPayload:
    """The password sign-in, admitted (Passwords.admitted): the guard (throttle, lockout), then a
    session, or a challenge when the device is unfamiliar and the sign-in risky."""
    device_id = device_of(context, given(input.device_id))
    # A differently-cased login still counts, e-mails and logs for the member who holds it; only the
    # exact username signs in.
    holder = await holder_of(input.username)
    member = holder if holder is not None and holder.username == input.username else None
    # The device query runs for unknown usernames too (no member has id 0): the same work, the same time.
    familiar = await is_familiar(holder.id if holder else 0, device_id) and holder is not None
    claimant = Claimant.of_login(
        input.username, holder, context.client.ip_address, device_id if familiar else None
    )
    password = input.password if len(input.password) <= MAX_LENGTH else ""
    challenged = False

    async def verify() -> bool:
        verified = await context.passwords.verify(member.password_hash if member else None, password)
        return member is not None and verified and member.status_enum is not MemberStatus.INVITED

    async def proven() -> bool:
        nonlocal challenged
        assert member is not None
        challenged = not familiar and await is_risky(member)
        return not challenged

    verdict = await check_secret(context, claimant, Secret.PASSWORD, verify, proven)
    if verdict.locked_until is not None:
        return _locked(verdict.locked_until)
    if not verdict.accepted or member is None:
        return SignInPayload(
            errors=[user_error(ErrorCode.INVALID_CREDENTIALS, "The username or password is not right.")]
        )
    if member.status_enum is MemberStatus.DISABLED or member.removed_at is not None:
        return SignInPayload(
            errors=[user_error(ErrorCode.ACCOUNT_DISABLED, "This member can no longer sign in.")]
        )
    if member.password_hash and context.passwords.needs_rehash(member.password_hash):
        member.password_hash = await context.passwords.hash(password)
        await Member.filter(id=member.id).update(password_hash=member.password_hash)
    if challenged:
        try:
            return SignInPayload(challenge=await start_challenge(context, member, device_id))
        except TooManyCodes as refused_codes:
            raise rate_limited(refused_codes.retry_after) from None
    token = await establish_session(context, member, device_id, "password")
    if not familiar:
        await alert_new_sign_in(member, context.client, context.settings.public_url)
    return SignInPayload(token=token, member=MemberType(model=member, signed_in_now=True))


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def sign_in(self, info: Info, input: SignInInput) -> SignInPayload:
        if invalid_device_id(input.device_id):
            return SignInPayload(
                errors=[user_error(ErrorCode.INVALID_INPUT, "deviceId is too long.", "deviceId")]
            )
        async with info.context.passwords.admitted():
            return await _sign_in(info.context, input)

    @strawberry.mutation(description="Answer a sign-in challenge with the e-mailed/SMS code or a TOTP code.")
    async def verify_sign_in(self, info: Info, input: VerifySignInInput) -> SignInPayload:
        context = info.context
        answered = await answer_challenge(context, str(input.challenge_id), input.code)
        member, verdict = answered.member, answered.verdict
        if verdict.locked_until is not None:
            return _locked(verdict.locked_until)
        if not verdict.accepted or member is None:
            return SignInPayload(
                errors=[user_error(ErrorCode.INVALID_CODE, "The code is wrong, expired or used up.", "code")]
            )
        if member.status_enum is MemberStatus.DISABLED or member.removed_at is not None:
            return SignInPayload(
                errors=[user_error(ErrorCode.ACCOUNT_DISABLED, "This member can no longer sign in.")]
            )
        token = await establish_session(context, member, answered.device_id, "password and code")
        await alert_new_sign_in(member, context.client, context.settings.public_url)
        return SignInPayload(token=token, member=MemberType(model=member, signed_in_now=True))

    @strawberry.mutation(description='"This wasn\'t me": revoke all sessions, lock until a password reset.')
    async def secure_account(self, info: Info, token: str) -> OkPayload:
        row = await find_link_token(token, TokenPurpose.SECURE_ACCOUNT)
        if row is None or await secure_member(row, info.context.client.ip_address) is None:
            return refused(user_error(ErrorCode.INVALID_TOKEN, "This link is not valid any more.", "token"))
        clear_session_cookies(info.context)
        return ok()

    @strawberry.mutation
    async def activate_member(self, info: Info, input: ActivateMemberInput) -> SignInPayload:
        context = info.context
        row = await find_link_token(input.token, TokenPurpose.ACTIVATION)
        member = await Member.get_or_none(id=row.member_id) if row else None
        if row is None or member is None or member.status_enum is not MemberStatus.INVITED:
            return SignInPayload(
                errors=[user_error(ErrorCode.INVALID_TOKEN, "This link is not valid any more.")]
            )
        problem = await _activation_problem(context, member, input)
        if problem is not None:
            return SignInPayload(errors=[problem])
        password_hash, answer_hash = await asyncio.gather(
            context.passwords.hash(input.password),
            context.passwords.hash(normalise_answer(input.security_answer)),
        )
        try:
            async with in_transaction() as connection:
                if not await use_token(row, using_db=connection):
                    return SignInPayload(
                        errors=[user_error(ErrorCode.INVALID_TOKEN, "This link is not valid any more.")]
                    )
                member.username = input.username
                member.username_folded = fold_username(input.username)
                member.password_hash = password_hash
                member.security_question = input.security_question.strip()
                member.security_answer_hash = answer_hash
                member.status = MemberStatus.ACTIVE
                member.password_changed_at = utcnow()
                await member.save(using_db=connection)
                await activity.record_by(
                    member,
                    "MEMBER_ACTIVATED",
                    f"{member.display_name} activated their membership as {member.username}",
                    ip_address=context.client.ip_address,
                    using_db=connection,
                )
        except IntegrityError:
            return SignInPayload(errors=[_username_taken()])
        token = await establish_session(context, member, given(input.device_id), "activation")
        return SignInPayload(token=token, member=MemberType(model=member, signed_in_now=True))

    @strawberry.mutation(description="Self-unlock link from the lockout e-mail.")
    async def unlock_member(self, info: Info, token: str) -> OkPayload:
        row = await find_link_token(token, TokenPurpose.UNLOCK)
        member = await Member.get_or_none(id=row.member_id) if row else None
        if row is None or member is None:
            return refused(user_error(ErrorCode.INVALID_TOKEN, "This link is not valid any more.", "token"))
        async with in_transaction() as connection:
            if not await use_token(row, using_db=connection):
                return refused(
                    user_error(ErrorCode.INVALID_TOKEN, "This link is not valid any more.", "token")
                )
            await end_lock(member, using_db=connection)
            await activity.record_by(
                member,
                "MEMBER_UNLOCKED",
                f"{member.display_name} unlocked sign-in with the e-mailed link",
                ip_address=info.context.client.ip_address,
                using_db=connection,
            )
        return ok()

    @strawberry.mutation(permission_classes=[IsMember])
    async def sign_out(self, info: Info) -> OkPayload:
        principal = principal_of(info)
        await Session.filter(id=principal.session.id).update(revoked_at=utcnow())
        clear_session_cookies(info.context)
        await _log(info, "SIGN_OUT", f"{principal.member.display_name} signed out")
        return ok()

    @strawberry.mutation(permission_classes=[IsMember])
    async def revoke_session(self, info: Info, id: strawberry.ID) -> OkPayload:
        principal = principal_of(info)
        pk = pk_of(str(id), "Session")
        revoked = 0
        if pk is not None:
            revoked = await Session.filter(id=pk, member_id=principal.member.id, revoked_at=None).update(
                revoked_at=utcnow()
            )
        if not revoked:
            return refused(user_error(ErrorCode.NOT_FOUND, "No such session of yours.", "id"))
        if pk == principal.session.id:
            clear_session_cookies(info.context)
        await _log(info, "SESSION_REVOKED", f"{principal.member.display_name} ended a session")
        return ok()

    @strawberry.mutation(permission_classes=[IsMember])
    async def sign_out_everywhere(self, info: Info) -> OkPayload:
        principal = principal_of(info)
        count = await revoke_sessions(principal.member.id)
        clear_session_cookies(info.context)
        await _log(
            info, "SIGNED_OUT_EVERYWHERE", f"{principal.member.display_name} ended all {count} sessions"
        )
        return ok()

    @strawberry.mutation(permission_classes=[IsMember])
    async def request_step_up_code(
        self, info: Info, channel: ChannelEnum | None = Channel.EMAIL
    ) -> StepUpPayload:
        context = info.context
        principal = principal_of(info)
        member = principal.member
        await refuse_throttled_ip(context)
        channel = channel or Channel.EMAIL
        if channel is Channel.SMS and not (member.phone and member.phone_confirmed):
            return StepUpPayload(
                errors=[
                    user_error(ErrorCode.INVALID_CHANNEL, "You have no confirmed phone for codes.", "channel")
                ]
            )
        minutes = context.settings.code_seconds // 60
        try:
            async with in_transaction() as connection:
                code, row = await issue_code(
                    member.id,
                    TokenPurpose.STEP_UP,
                    context.settings.secret_key,
                    context.settings.code_seconds,
                    session_id=principal.session.id,
                    using_db=connection,
                )
                sent_to = await send_code(
                    member, channel, STEP_UP_PURPOSE, code, minutes, using_db=connection
                )
                await _log(info, "STEP_UP_REQUESTED", f"Step-up code sent to {sent_to}", using_db=connection)
        except TooManyCodes as refused_codes:
            raise too_many_codes(refused_codes.retry_after) from None
        return StepUpPayload(challenge=_challenge(row.id, member, sent_to))

    @strawberry.mutation(permission_classes=[IsMember])
    async def verify_step_up(self, info: Info, code: str) -> StepUpPayload:
        context = info.context
        principal = principal_of(info)
        session = principal.session

        async def verify() -> bool:
            row = await redeem_code(
                principal.member.id,
                TokenPurpose.STEP_UP,
                code[:20],
                context.settings.secret_key,
                context.settings.code_max_attempts,
                session_id=session.id,
            )
            return row is not None or await _totp_steps_up(principal.member, code)

        verdict = await check_secret(context, session_claimant(context), Secret.STEP_UP_CODE, verify)
        wrong = user_error(ErrorCode.INVALID_CODE, "The code is wrong, expired or used up.", "code")
        if (error := refusal(verdict, wrong)) is not None:
            return StepUpPayload(errors=[error])
        session.elevated_until = utcnow() + timedelta(seconds=context.settings.step_up_seconds)
        await Session.filter(id=session.id).update(elevated_until=session.elevated_until)
        await _log(info, "STEP_UP_VERIFIED", f"{principal.member.display_name} confirmed it was them")
        return StepUpPayload(session=SessionType(model=session, current_session_id=session.id))

    @strawberry.mutation(permission_classes=[IsMember])
    async def change_password(self, info: Info, input: ChangePasswordInput) -> OkPayload:
        async with info.context.passwords.admitted():  # a credential check: admitted as signIn's are
            return await _change_password(info, input)


async def refuse_throttled_ip(context: Context) -> None:
    """RATE_LIMITED for an address with too many recent failed sign-ins (sign-in, reset, step-up)."""
    wait = await throttle.retry_after(context.client.ip_address)
    if wait is not None:
        raise rate_limited(wait)


async def _totp_steps_up(member: Member, code: str) -> bool:
    """A TOTP code answers step-up too (the guard bounds the guesses, as for e-mailed codes)."""
    return member.totp_enabled_at is not None and await accept_totp_code(member, code[:20])


def _locked(until: datetime) -> SignInPayload:
    return SignInPayload(
        locked_until=until,
        errors=[
            user_error(
                ErrorCode.ACCOUNT_LOCKED, "Too many wrong passwords: signing in is locked for a while."
            )
        ],
    )


async def _activation_problem(
    context: Context, member: Member, input: ActivateMemberInput
) -> UserError | None:
    if not USERNAME_PATTERN.fullmatch(input.username):
        return user_error(
            ErrorCode.INVALID_USERNAME,
            "Use 3 to 32 letters, digits, dots, underscores or dashes.",
            "username",
        )
    if (taken := await _username_refused(context, member, input.username)) is not None:
        return taken
    problem = await context.passwords.problem(
        input.password, [member.display_name, input.username, member.email]
    )
    if problem is not None:
        return user_error(ErrorCode.WEAK_PASSWORD, problem, "password")
    if not input.security_question.strip() or len(input.security_question) > MAX_QUESTION:
        return user_error(
            ErrorCode.INVALID_INPUT, f"Give a question of 1 to {MAX_QUESTION} characters.", "securityQuestion"
        )
    if has_control_characters(input.security_question):
        return user_error(ErrorCode.INVALID_INPUT, CONTROL_CHARACTERS_MESSAGE, "securityQuestion")
    if not normalise_answer(input.security_answer) or len(input.security_answer) > MAX_ANSWER:
        return user_error(
            ErrorCode.INVALID_INPUT, f"Give an answer of 1 to {MAX_ANSWER} characters.", "securityAnswer"
        )
    if has_control_characters(input.security_answer):
        return user_error(ErrorCode.INVALID_INPUT, CONTROL_CHARACTERS_MESSAGE, "securityAnswer")
    if invalid_device_id(input.device_id):
        return user_error(ErrorCode.INVALID_INPUT, "deviceId is too long.", "deviceId")
    return None


async def _username_refused(context: Context, member: Member, username: str) -> UserError | None:
    """USERNAME_TAKEN through the guard: each taken answer counts for the link and the address, so a
    link is no oracle of which usernames exist (the 5th locks it for a while). A free one counts
    nothing: it tells only what does not exist, and parallel activations must not lock each other."""
    if not await Member.filter(username_folded=fold_username(username)).exists():
        return None

    async def taken() -> bool:
        return False

    claimant = Claimant.of(member, context.client.ip_address)
    verdict = await check_secret(context, claimant, Secret.USERNAME, taken)
    if verdict.locked_until is not None:
        return user_error(
            ErrorCode.ACCOUNT_LOCKED,
            "Too many taken usernames were tried with this link: try again in a while.",
            "username",
        )
    return _username_taken()


def _username_taken() -> UserError:
    return user_error(ErrorCode.USERNAME_TAKEN, "This username is taken.", "username")


def _challenge(row_id: int, member: Member, sent_to: str) -> Challenge:
    channels = [Channel.EMAIL.value] + (
        [Channel.SMS.value] if member.phone and member.phone_confirmed else []
    )
    return Challenge(id=strawberry.ID(to_global_id("Challenge", row_id)), channels=channels, sent_to=sent_to)


async def _log(info: Info, kind: str, summary: str, using_db: BaseDBAsyncClient | None = None) -> None:
    principal = principal_of(info)
    await activity.record(
        principal.account_id,
        kind,
        summary,
        actor_id=principal.member.id,
        ip_address=info.context.client.ip_address,
        using_db=using_db,
    )


async def _change_password(info: Info, input: ChangePasswordInput) -> OkPayload:
    context = info.context
    principal = principal_of(info)
    member = principal.member
    current = input.current_password if len(input.current_password) <= MAX_LENGTH else ""

    async def verify() -> bool:
        return await context.passwords.verify(member.password_hash, current)

    verdict = await check_secret(context, session_claimant(context), Secret.CURRENT_PASSWORD, verify)
    wrong = user_error(ErrorCode.INVALID_CREDENTIALS, "The current password is not right.", "currentPassword")
    if (error := refusal(verdict, wrong)) is not None:
        return refused(error)
    problem = await context.passwords.problem(
        input.new_password, [member.display_name, member.username, member.email]
    )
    if problem is not None:
        return refused(user_error(ErrorCode.WEAK_PASSWORD, problem, "newPassword"))
    new_hash = await context.passwords.hash(input.new_password)
    async with in_transaction() as connection:
        await (
            Member.filter(id=member.id)
            .using_db(connection)
            .update(password_hash=new_hash, password_changed_at=utcnow())
        )
        await revoke_sessions(member.id, keep_session_id=principal.session.id, using_db=connection)
        await email_member(
            member,
            messages.notice(
                member.display_name,
                "Your password was changed",
                "The password of your account was just changed, and your other sessions ended.",
            ),
            "PASSWORD_CHANGED",
            using_db=connection,
        )
        await _log(
            info, "PASSWORD_CHANGED", f"{member.display_name} changed their password", using_db=connection
        )
    return ok()
