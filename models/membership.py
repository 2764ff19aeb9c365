"""Household membership: invite, re-invite, change access, remove, unlock, hand on the primary role.

Each operation commits its change, its e-mails and its activity event in one transaction. Checks that
another request could invalidate meanwhile are conditional UPDATEs, so two racing requests cannot
both pass them (two primaries, a removed member given access, ...).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models import activity
from models.access import GRANTABLE, INVITABLE_ROLES, Permission, Role, refused_grants, sorted_permissions
from models.accounts.models import Account
from models.activity import ActivityKind
from models.db.clock import utcnow
from models.members.errors import MembershipRefused, Refusal, email_taken
from models.members.models import Member, MemberStatus, PermissionGrant, email_in_use
from models.notify import messages
from models.notify.outbox import MessageKind
from models.notify.send import email_member
from models.security import lockout
from models.security.codes import issue_link_token
from models.security.models import OneTimeToken, TokenPurpose
from models.security.sessions import revoke_sessions

MANAGEABLE_ROLES = (Role.MANAGER, Role.STANDARD)


@dataclass(frozen=True)
class Actor:
    """The member doing the change, and where from (for the activity log)."""

    member: Member
    ip_address: str | None = None

    @property
    def account_id(self) -> int:
        return self.member.account_id


@dataclass(frozen=True)
class LinkPolicy:
    """Where invitation links point and how long they work."""

    public_url: str
    activation_seconds: int


@dataclass(frozen=True)
class Invitation:
    """A validated invitation: names and addresses already in their normal forms."""

    display_name: str
    email: str
    phone: str | None
    role: Role
    grants: frozenset[Permission]


def check_access(role: Role, grants: Iterable[Permission], field: str = "role") -> frozenset[Permission]:
    """The grants to store for a member of `role`; refused for PRIMARY or a grant the role may not have."""
    if role not in INVITABLE_ROLES:
        raise MembershipRefused(
            Refusal.INVALID_ROLE,
            "A member can be MANAGER or STANDARD; use transferPrimary to hand on PRIMARY.",
            field,
        )
    refused = refused_grants(role, grants)
    if refused:
        names = ", ".join(permission.value for permission in refused)
        raise MembershipRefused(
            Refusal.INVALID_PERMISSION, f"A {role.value} member cannot be granted {names}.", "permissions"
        )
    return frozenset(grants) & GRANTABLE[role]


async def invite(actor: Actor, invitation: Invitation, links: LinkPolicy) -> Member:
    """A new INVITED member with their grants, and the e-mail with their activation link."""
    grants = check_access(invitation.role, invitation.grants)
    async with in_transaction() as connection:
        # One e-mail address a person on the account (models.members.models.email_in_use); the account row
        # lock orders concurrent invitations of the same address.
        await Account.select_for_update().using_db(connection).get(id=actor.account_id)
        if await email_in_use(actor.account_id, invitation.email, using_db=connection):
            raise email_taken()
        member = await Member.create(
            account_id=actor.account_id,
            role=invitation.role,
            status=MemberStatus.INVITED,
            display_name=invitation.display_name,
            email=invitation.email,
            phone=invitation.phone,
            phone_confirmed=False,
            using_db=connection,
        )
        await _replace_grants(member.id, grants, connection)
        await _send_invitation(actor, member, links, connection)
        await _record(
            actor,
            ActivityKind.MEMBER_INVITED,
            f"{actor.member.display_name} invited {member.display_name} as {member.role}",
            connection,
        )
    return member


async def resend_invitation(actor: Actor, member_id: int, links: LinkPolicy) -> Member:
    """A fresh activation link for an INVITED member; the earlier link stops working."""
    member = await _member_of(actor, member_id)
    if member.status_enum is not MemberStatus.INVITED:
        raise MembershipRefused(
            Refusal.INVALID_STATUS, "Only an invited member can be invited again.", "memberId"
        )
    async with in_transaction() as connection:
        await _send_invitation(actor, member, links, connection)
        await _record(
            actor,
            ActivityKind.MEMBER_INVITATION_RESENT,
            f"{actor.member.display_name} re-sent {member.display_name}'s invitation",
            connection,
        )
    return member


async def change_access(actor: Actor, member_id: int, role: Role, grants: Iterable[Permission]) -> Member:
    """Set a non-primary member's role and replace their grants."""
    member = await _member_of(actor, member_id)
    if member.role_enum is Role.PRIMARY:
        raise MembershipRefused(
            Refusal.INVALID_ROLE, "The primary's access cannot change; use transferPrimary.", "memberId"
        )
    stored = check_access(role, grants)
    async with in_transaction() as connection:
        updated = (
            await Member.filter(id=member.id, removed_at=None, role__in=MANAGEABLE_ROLES)
            .using_db(connection)
            .update(role=role)
        )
        if updated != 1:
            raise MembershipRefused(Refusal.NOT_FOUND, "No such member in your account.", "memberId")
        await _replace_grants(member.id, stored, connection)
        summary = ", ".join(sorted_permissions(stored)) or "no extra permissions"
        await _record(
            actor,
            ActivityKind.MEMBER_ACCESS_CHANGED,
            f"{actor.member.display_name} made {member.display_name} {role.value} with {summary}",
            connection,
        )
    return await Member.get(id=member.id)


async def remove(actor: Actor, member_id: int) -> None:
    """Disable the member: their sessions end and their unused links stop working at once."""
    member = await _member_of(actor, member_id)
    if member.role_enum is Role.PRIMARY or member.id == actor.member.id:
        raise MembershipRefused(Refusal.INVALID_ROLE, "The primary member cannot be removed.", "memberId")
    now = utcnow()
    async with in_transaction() as connection:
        updated = (
            await Member.filter(id=member.id, removed_at=None, role__in=MANAGEABLE_ROLES)
            .using_db(connection)
            .update(status=MemberStatus.DISABLED, removed_at=now)
        )
        if updated != 1:
            raise MembershipRefused(Refusal.NOT_FOUND, "No such member in your account.", "memberId")
        await revoke_sessions(member.id, using_db=connection)
        await OneTimeToken.filter(member_id=member.id, used_at=None).using_db(connection).update(used_at=now)
        await _record(
            actor,
            ActivityKind.MEMBER_REMOVED,
            f"{actor.member.display_name} removed {member.display_name}",
            connection,
        )


async def unlock(actor: Actor, member_id: int) -> Member:
    """End the member's lockout now: the sign-in counters of their login and the lock shown on them."""
    member = await _member_of(actor, member_id)
    async with in_transaction() as connection:
        await lockout.end_lock(member, using_db=connection)
        await _record(
            actor,
            ActivityKind.MEMBER_UNLOCKED,
            f"{actor.member.display_name} unlocked {member.display_name}",
            connection,
        )
    return member


async def transfer_primary(actor: Actor, member_id: int) -> Member:
    """Make an ACTIVE member the primary; the caller becomes a MANAGER. Both are told by e-mail."""
    member = await _member_of(actor, member_id)
    if member.id == actor.member.id:
        raise MembershipRefused(Refusal.INVALID_ROLE, "You are the primary already.", "memberId")
    if member.status_enum is not MemberStatus.ACTIVE:
        raise MembershipRefused(
            Refusal.INVALID_STATUS, "Only an active member can become primary.", "memberId"
        )
    async with in_transaction() as connection:
        # Conditional on the caller still being primary: of two racing transfers only one demotes them.
        demoted = (
            await Member.filter(id=actor.member.id, account_id=actor.account_id, role=Role.PRIMARY)
            .using_db(connection)
            .update(role=Role.MANAGER)
        )
        if demoted != 1:
            raise MembershipRefused(Refusal.INVALID_ROLE, "You are no longer the primary member.", "memberId")
        promoted = (
            await Member.filter(
                id=member.id, status=MemberStatus.ACTIVE, removed_at=None, role__in=MANAGEABLE_ROLES
            )
            .using_db(connection)
            .update(role=Role.PRIMARY)
        )
        if promoted != 1:
            raise MembershipRefused(
                Refusal.INVALID_STATUS, "Only an active member can become primary.", "memberId"
            )
        await _replace_grants(member.id, frozenset(), connection)
        await _replace_grants(actor.member.id, frozenset(), connection)
        await email_member(
            member,
            messages.notice(
                member.display_name,
                "You are now the account's primary member",
                f"{actor.member.display_name} made you the primary member of the account.",
            ),
            MessageKind.PRIMARY_TRANSFERRED,
            using_db=connection,
        )
        await email_member(
            actor.member,
            messages.notice(
                actor.member.display_name,
                "You handed on the primary role",
                f"{member.display_name} is now the primary member; you are a manager.",
            ),
            MessageKind.PRIMARY_TRANSFERRED,
            using_db=connection,
        )
        await _record(
            actor,
            ActivityKind.PRIMARY_TRANSFERRED,
            f"{actor.member.display_name} made {member.display_name} the primary member",
            connection,
        )
    return await Member.get(id=member.id)


async def _member_of(actor: Actor, member_id: int) -> Member:
    member = await Member.filter(id=member_id, account_id=actor.account_id, removed_at=None).first()
    if member is None:
        raise MembershipRefused(Refusal.NOT_FOUND, "No such member in your account.", "memberId")
    return member


async def _replace_grants(
    member_id: int, grants: frozenset[Permission], connection: BaseDBAsyncClient
) -> None:
    await PermissionGrant.filter(member_id=member_id).using_db(connection).delete()
    if grants:
        await PermissionGrant.bulk_create(
            [
                PermissionGrant(member_id=member_id, permission=permission)
                for permission in sorted_permissions(grants)
            ],
            using_db=connection,
        )


async def send_activation(
    member: Member,
    account_name: str,
    links: LinkPolicy,
    *,
    invited: bool,
    using_db: BaseDBAsyncClient,
    invited_by: str | None = None,
) -> None:
    """A fresh activation link (earlier ones stop working) e-mailed to the member: welcome or invitation."""
    token = await issue_link_token(
        member.id, TokenPurpose.ACTIVATION, links.activation_seconds, using_db=using_db
    )
    text = messages.activation(
        links.public_url, member.display_name, account_name, token, invited=invited, invited_by=invited_by
    )
    await email_member(member, text, MessageKind.ACTIVATION, using_db=using_db)


async def _send_invitation(
    actor: Actor, member: Member, links: LinkPolicy, connection: BaseDBAsyncClient
) -> None:
    account = await Account.get(id=member.account_id, using_db=connection)
    await send_activation(
        member,
        account.name,
        links,
        invited=True,
        using_db=connection,
        invited_by=actor.member.display_name,
    )


async def _record(actor: Actor, kind: ActivityKind, summary: str, connection: BaseDBAsyncClient) -> None:
    await activity.record(
        actor.account_id,
        kind,
        summary,
        actor_id=actor.member.id,
        ip_address=actor.ip_address,
        using_db=connection,
    )
