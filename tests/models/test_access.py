"""The one permission table: a member's permissions and what an API key of theirs may do."""

from __future__ import annotations

from models.access import (
    Permission,
    Role,
    holds_grants,
    key_permissions,
    refused_key_permissions,
)
from models.members.models import member_permissions
from tests.support import make_account, make_member


def test_only_standard_members_hold_grants() -> None:
    assert [role for role in Role if holds_grants(role)] == [Role.STANDARD]


def test_key_permissions_stay_within_the_creators_and_never_manage_members() -> None:
    # given
    chosen = {Permission.VIEW_BILLING, Permission.PAY_BILLS, Permission.MANAGE_MEMBERS}
    creator = frozenset({Permission.VIEW_BILLING, Permission.MANAGE_MEMBERS})
    # when
    allowed = key_permissions(chosen, creator)
    # then
    assert allowed == frozenset({Permission.VIEW_BILLING})


def test_refused_key_permissions_names_what_the_creator_lacks_and_what_no_key_gets() -> None:
    # given
    chosen = [Permission.MANAGE_MEMBERS, Permission.PAY_BILLS, Permission.VIEW_BILLING]
    creator = frozenset(Permission)
    # when
    refused_by_primary = refused_key_permissions(chosen, creator)
    refused_by_viewer = refused_key_permissions(chosen, frozenset({Permission.VIEW_BILLING}))
    # then
    assert refused_by_primary == [Permission.MANAGE_MEMBERS]
    assert refused_by_viewer == [Permission.PAY_BILLS, Permission.MANAGE_MEMBERS]


async def test_member_permissions_are_the_role_defaults_and_allowed_grants() -> None:
    # given
    account = await make_account()
    primary = await make_member(account, "pat", role=Role.PRIMARY)
    standard = await make_member(account, "sam", grants=(Permission.VIEW_BILLING,))
    bare = await make_member(account, "bea")
    # when
    primary_permissions = await member_permissions(primary)
    standard_permissions = await member_permissions(standard)
    bare_permissions = await member_permissions(bare)
    # then
    assert primary_permissions == frozenset(Permission)
    assert standard_permissions == frozenset({Permission.VIEW_BILLING})
    assert bare_permissions == frozenset()
