"""Partner API keys: created by the primary, limited to chosen permissions, stored only as SHA-256."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models import activity
from models.access import Permission, Role, key_permissions, refused_key_permissions, sorted_permissions
from models.activity import ActivityKind
from models.db.clock import utcnow
from models.members.contact import CONTROL_CHARACTERS_MESSAGE, has_control_characters
from models.members.models import Member, MemberStatus, member_permissions
from models.partners.errors import ApiKeyRefused, Refusal, key_not_found
from models.security.tokens import hash_token

if TYPE_CHECKING:
    from models.accounts.models import Account

KEY_PREFIX = "agk_"
SHOWN_CHARS = 12
MAX_NAME = 100
TOUCH_INTERVAL = timedelta(seconds=60)


class ApiKey(Model):
    id = fields.BigIntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "gateway.Account", related_name="api_keys", on_delete=fields.CASCADE, db_index=True
    )
    account_id: int
    created_by: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gateway.Member", related_name="api_keys", on_delete=fields.CASCADE, db_index=True
    )
    created_by_id: int
    name = fields.CharField(max_length=MAX_NAME)
    prefix = fields.CharField(max_length=SHOWN_CHARS)
    key_hash = fields.CharField(max_length=64, unique=True)
    permissions: list[str] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_key"

    @property
    def permission_set(self) -> frozenset[Permission]:
        return frozenset(Permission(value) for value in self.permissions if value in Permission.__members__)


@dataclass(frozen=True)
class KeyAccess:
    """What a presented key may do right now: its permissions within its creator's."""

    key: ApiKey
    permissions: frozenset[Permission]


def new_key() -> tuple[str, str]:
    """A fresh key (shown once) and the hash to store."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    return key, hash_token(key)


def looks_like_key(bearer: str) -> bool:
    return bearer.startswith(KEY_PREFIX)


async def create(
    creator: Member,
    creator_permissions: frozenset[Permission],
    name: str,
    permissions: Iterable[Permission],
    *,
    ip_address: str | None = None,
) -> tuple[ApiKey, str]:
    """A new key of the creator's account; returns the row and the secret (shown once)."""
    name = name.strip()
    if not 0 < len(name) <= MAX_NAME:
        raise ApiKeyRefused(Refusal.INVALID_INPUT, f"Use 1 to {MAX_NAME} characters.", "name")
    if has_control_characters(name):
        raise ApiKeyRefused(Refusal.INVALID_INPUT, CONTROL_CHARACTERS_MESSAGE, "name")
    chosen = frozenset(permissions)
    if not chosen:
        raise ApiKeyRefused(Refusal.INVALID_PERMISSION, "Choose at least one permission.", "permissions")
    refused = refused_key_permissions(chosen, creator_permissions)
    if refused:
        names = ", ".join(refused)
        raise ApiKeyRefused(Refusal.INVALID_PERMISSION, f"An API key cannot be given {names}.", "permissions")
    secret, key_hash = new_key()
    async with in_transaction() as connection:
        key = await ApiKey.create(
            account_id=creator.account_id,
            created_by_id=creator.id,
            name=name,
            prefix=secret[:SHOWN_CHARS],
            key_hash=key_hash,
            permissions=[p.value for p in sorted_permissions(chosen)],
            using_db=connection,
        )
        await activity.record_by(
            creator,
            ActivityKind.API_KEY_CREATED,
            f"{creator.display_name} created the API key {name!r} ({key.prefix}…)",
            ip_address=ip_address,
            using_db=connection,
        )
    return key, secret


async def revoke(actor: Member, key_id: int | None, *, ip_address: str | None = None) -> ApiKey:
    """Revoke a live key of the actor's account; NOT_FOUND for anything else."""
    if key_id is None:
        raise key_not_found()
    account_id = actor.account_id
    async with in_transaction() as connection:
        key = (
            await ApiKey.filter(id=key_id, account_id=account_id, revoked_at=None)
            .using_db(connection)
            .first()
        )
        revoked = await (
            ApiKey.filter(id=key_id, account_id=account_id, revoked_at=None)
            .using_db(connection)
            .update(revoked_at=utcnow())
        )
        if key is None or not revoked:
            raise key_not_found()
        await activity.record_by(
            actor,
            ActivityKind.API_KEY_REVOKED,
            f"{actor.display_name} revoked the API key {key.name!r} ({key.prefix}…)",
            ip_address=ip_address,
            using_db=connection,
        )
    return key


async def revoke_for_secured(
    member: Member, *, ip_address: str | None = None, using_db: BaseDBAsyncClient
) -> list[ApiKey]:
    """ "This wasn't me": revoke, in the caller's transaction, the live keys the member created and, for
    the primary (who holds every key of the account), all of the account's; each is logged. Returns them.
    They stay revoked: the password reset that lets the member back in brings no key back."""
    account_id = member.account_id
    live = ApiKey.filter(account_id=account_id, revoked_at=None)
    if member.role_enum is not Role.PRIMARY:
        live = live.filter(created_by_id=member.id)
    keys = await live.using_db(using_db).select_for_update().order_by("id")
    if not keys:
        return []
    await ApiKey.filter(id__in=[key.id for key in keys]).using_db(using_db).update(revoked_at=utcnow())
    for key in keys:
        await activity.record(
            account_id,
            ActivityKind.API_KEY_REVOKED,
            f"The API key {key.name!r} ({key.prefix}…) was revoked: {member.display_name} secured their "
            "sign-in",
            actor_id=member.id,
            ip_address=ip_address,
            using_db=using_db,
        )
    return keys


async def access_for(secret: str, now: datetime | None = None) -> KeyAccess | None:
    """The live key for a presented secret and what it may do; None when unknown, revoked or orphaned."""
    key = (
        await ApiKey.filter(key_hash=hash_token(secret), revoked_at=None).select_related("created_by").first()
    )
    if key is None:
        return None
    creator = key.created_by
    if (
        creator.removed_at is not None
        or creator.status_enum in (MemberStatus.DISABLED, MemberStatus.INVITED)
        or creator.account_id != key.account_id
    ):
        return None
    await touch(key, now or utcnow())
    # The creator's current rights bound the key: a creator who lost a permission takes it from the key.
    return KeyAccess(
        key=key, permissions=key_permissions(key.permission_set, await member_permissions(creator))
    )


async def touch(key: ApiKey, now: datetime) -> bool:
    """Record use at most once a minute: one conditional UPDATE, so parallel requests write once."""
    if key.last_used_at is not None and now - key.last_used_at < TOUCH_INTERVAL:
        return False
    updated = await ApiKey.filter(
        Q(last_used_at=None) | Q(last_used_at__lt=now - TOUCH_INTERVAL), id=key.id
    ).update(last_used_at=now)
    if updated:
        key.last_used_at = now
    return bool(updated)


async def live_keys_by_account(account_ids: Sequence[int]) -> list[list[ApiKey]]:
    """For a DataLoader: each account's unrevoked keys, newest first, in one query."""
    keys: dict[int, list[ApiKey]] = defaultdict(list)
    rows = await ApiKey.filter(account_id__in=set(account_ids), revoked_at=None).order_by(
        "-created_at", "-id"
    )
    for key in rows:
        keys[key.account_id].append(key)
    return [keys[pk] for pk in account_ids]
