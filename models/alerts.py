"""Suspicious sign-ins: how risky a sign-in from an unfamiliar device is, the "new sign-in" alert
with its "this wasn't me" link, and securing the member when it was not them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction
from ua_parser import parse

from models import activity
from models.access import Role
from models.accounts.models import Account
from models.activity import ActivityKind
from models.db.clock import utcnow
from models.members.models import Member, MemberStatus
from models.notify import messages
from models.notify.outbox import MessageKind
from models.notify.send import email_member, notify_member
from models.partners import api_keys
from models.security.codes import issue_link_token
from models.security.models import OneTimeToken, TokenPurpose
from models.security.sessions import ClientInfo, revoke_sessions

RISKY_FAILURES = 3
RISK_WINDOW = timedelta(minutes=15)
SECURE_LINK_SECONDS = 7 * 24 * 3600


def describe_device(user_agent: str | None) -> str:
    """ "Mobile Safari on iOS (iPhone)" from a user agent; "an unknown device" when there is none."""
    parsed = parse(user_agent or "")
    if parsed.user_agent is None:
        return "an unknown device"
    words = parsed.user_agent.family
    if parsed.os is not None and parsed.os.family != "Other":
        words += f" on {parsed.os.family}"
    if parsed.device is not None and parsed.device.family not in ("Other", "Mac"):
        words += f" ({parsed.device.family})"
    return words


async def is_risky(member: Member, now: datetime | None = None) -> bool:
    """Risk beyond an unfamiliar device: recent failures for the member, or a second factor they chose."""
    if member.totp_enabled_at is not None:
        return True
    since = (now or utcnow()) - RISK_WINDOW
    failures = await activity.ActivityEvent.filter(
        actor_id=member.id, kind=ActivityKind.SIGN_IN_FAILED, at__gte=since
    ).count()
    return failures >= RISKY_FAILURES


async def alert_new_sign_in(member: Member, client: ClientInfo, public_url: str) -> None:
    """E-mail (and SMS when the member's security preferences say so) naming device, IP and time."""
    account = await Account.get(id=member.account_id)
    when = utcnow().astimezone(ZoneInfo(account.time_zone)).strftime("%d %b %Y at %H:%M %Z")
    device = describe_device(client.user_agent)
    place = client.ip_address or "an unknown address"
    async with in_transaction() as connection:
        token = await issue_link_token(
            member.id, TokenPurpose.SECURE_ACCOUNT, SECURE_LINK_SECONDS, using_db=connection
        )
        text = messages.new_sign_in(public_url, member.display_name, device, place, when, token)
        # Security preferences always hold EMAIL; SMS about security never waits for daytime.
        await notify_member(
            member,
            "security",
            text,
            MessageKind.NEW_SIGN_IN,
            time_zone=account.time_zone,
            sms_body=messages.new_sign_in_sms(device, place, when),
            using_db=connection,
        )
        await activity.record_by(
            member,
            ActivityKind.NEW_DEVICE_ALERT,
            f"New sign-in alert sent to {member.display_name}: {device} from {place}",
            ip_address=client.ip_address,
            using_db=connection,
        )


async def secure_account(row: OneTimeToken, ip_address: str | None) -> Member | None:
    """ "This wasn't me": end every session and disable sign-in until a password reset; tell the primary."""
    member = await Member.get_or_none(id=row.member_id)
    if member is None or member.removed_at is not None:
        return None
    primary = await Member.get(account_id=member.account_id, role=Role.PRIMARY)
    async with in_transaction() as connection:
        updated = (
            await OneTimeToken.filter(id=row.id, used_at=None).using_db(connection).update(used_at=utcnow())
        )
        if updated != 1:
            return None
        await Member.filter(id=member.id).using_db(connection).update(status=MemberStatus.DISABLED)
        member.status = MemberStatus.DISABLED
        await revoke_sessions(member.id, using_db=connection)
        # Whoever had the session may have made keys, and a key outlives the password reset.
        revoked = await api_keys.revoke_for_secured(member, ip_address=ip_address, using_db=connection)
        keys_note = keys_revoked(len(revoked))
        keys_sentence = f" {keys_note}." if keys_note else ""
        await email_member(
            member,
            messages.notice(
                member.display_name,
                "We signed you out everywhere",
                "You told us a sign-in was not you. Every session has ended and signing in stays blocked "
                f"until you reset your password.{keys_sentence}",
            ),
            MessageKind.ACCOUNT_SECURED,
            using_db=connection,
        )
        if primary.id != member.id:
            await email_member(
                primary,
                messages.notice(
                    primary.display_name,
                    f"{member.display_name}'s sign-in was secured",
                    f"{member.display_name} reported a sign-in that was not them. Their sessions have "
                    f"ended and they can sign in again after resetting their password.{keys_sentence}",
                ),
                MessageKind.ACCOUNT_SECURED,
                using_db=connection,
            )
        await activity.record(
            member.account_id,
            ActivityKind.ACCOUNT_SECURED,
            f"{member.display_name} reported a sign-in that was not them: all sessions ended, "
            f"sign-in blocked until a password reset{'; ' + keys_note if keys_note else ''}",
            actor_id=member.id,
            ip_address=ip_address,
            using_db=connection,
        )
    return member


def keys_revoked(count: int) -> str:
    """ "2 partner API keys were revoked", for the notices and the log; "" when none was."""
    if not count:
        return ""
    return f"{count} partner API key{'s' if count != 1 else ''} {'were' if count != 1 else 'was'} revoked"
