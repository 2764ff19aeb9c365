"""Household member management: invite, re-invite, change access, remove, unlock, transfer primary."""

from __future__ import annotations

import strawberry

from models import membership
from models.access import Permission, Role
from models.members.errors import MembershipRefused, Refusal
from models.membership import Actor, LinkPolicy
from schema.errors import refusal_error
from schema.ids import pk_of
from schema.members.inputs import (
    InviteMemberInput,
    UpdateMemberAccessInput,
    grants_of,
    read_invitation,
    refused_member,
)
from schema.members.payloads import MemberPayload
from schema.members.types import MemberType
from schema.permissions import Info, Requires, SteppedUp, principal_of
from schema.security.types import OkPayload, ok, refused

MANAGE_MEMBERS = Requires(Permission.MANAGE_MEMBERS)


def actor_of(info: Info) -> Actor:
    return Actor(member=principal_of(info).member, ip_address=info.context.client.ip_address)


def links_of(info: Info) -> LinkPolicy:
    settings = info.context.settings
    return LinkPolicy(public_url=settings.public_url, activation_seconds=settings.activation_seconds)


def not_found(field: str = "memberId") -> MembershipRefused:
    return MembershipRefused(Refusal.NOT_FOUND, "No such member in your account.", field)


def member_pk(member_id: strawberry.ID, field: str = "memberId") -> int:
    """The member's primary key from its global ID; NOT_FOUND for anything else."""
    pk = pk_of(str(member_id), "Member")
    if pk is None:
        raise not_found(field)
    return pk


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[MANAGE_MEMBERS, SteppedUp])
    async def invite_member(self, info: Info, input: InviteMemberInput) -> MemberPayload:
        invitation = read_invitation(input)
        if isinstance(invitation, list):
            return refused_member(*invitation)
        try:
            member = await membership.invite(actor_of(info), invitation, links_of(info))
        except MembershipRefused as refusal:
            return refused_member(refusal_error(refusal))
        return MemberPayload(member=MemberType(model=member))

    @strawberry.mutation(permission_classes=[MANAGE_MEMBERS])
    async def resend_invitation(self, info: Info, member_id: strawberry.ID) -> MemberPayload:
        try:
            member = await membership.resend_invitation(actor_of(info), member_pk(member_id), links_of(info))
        except MembershipRefused as refusal:
            return refused_member(refusal_error(refusal))
        return MemberPayload(member=MemberType(model=member))

    @strawberry.mutation(permission_classes=[MANAGE_MEMBERS, SteppedUp])
    async def update_member_access(self, info: Info, input: UpdateMemberAccessInput) -> MemberPayload:
        try:
            member = await membership.change_access(
                actor_of(info), member_pk(input.member_id), Role(input.role), grants_of(input.permissions)
            )
        except MembershipRefused as refusal:
            return refused_member(refusal_error(refusal))
        return MemberPayload(member=MemberType(model=member))

    @strawberry.mutation(permission_classes=[MANAGE_MEMBERS, SteppedUp])
    async def remove_member(self, info: Info, member_id: strawberry.ID) -> OkPayload:
        try:
            await membership.remove(actor_of(info), member_pk(member_id))
        except MembershipRefused as refusal:
            return refused(refusal_error(refusal))
        return ok()

    @strawberry.mutation(permission_classes=[MANAGE_MEMBERS])
    async def unlock_member_by_id(self, info: Info, member_id: strawberry.ID) -> MemberPayload:
        try:
            member = await membership.unlock(actor_of(info), member_pk(member_id))
        except MembershipRefused as refusal:
            return refused_member(refusal_error(refusal))
        return MemberPayload(member=MemberType(model=member))

    @strawberry.mutation(permission_classes=[MANAGE_MEMBERS, SteppedUp])
    async def transfer_primary(self, info: Info, member_id: strawberry.ID) -> MemberPayload:
        try:
            member = await membership.transfer_primary(actor_of(info), member_pk(member_id))
        except MembershipRefused as refusal:
            return refused_member(refusal_error(refusal))
        return MemberPayload(member=MemberType(model=member))
