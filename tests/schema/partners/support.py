"""Helpers for partner-key tests: a household with a primary, and keys made directly."""

from __future__ import annotations

from models.access import Permission, Role
from models.accounts.models import Account
from models.members.models import Member, member_permissions
from models.partners import api_keys
from models.partners.api_keys import ApiKey
from tests.support import make_account, make_member


async def household(primary_name: str = "pat") -> tuple[Account, Member]:
    account = await make_account()
    primary = await make_member(account, primary_name, role=Role.PRIMARY)
    return account, primary


async def make_key(creator: Member, *permissions: Permission, name: str = "Budget app") -> tuple[ApiKey, str]:
    """A key the creator made, as createApiKey makes it; returns the row and the secret."""
    return await api_keys.create(creator, await member_permissions(creator), name, permissions)
