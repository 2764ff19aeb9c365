"""Trusted documents: the GraphQL documents an API key may run once it has any (its allow-list)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model
from tortoise.transactions import in_transaction

if TYPE_CHECKING:
    from models.partners.api_keys import ApiKey


class TrustedDocument(Model):
    """One registered document of a key, by the SHA-256 of its exact text"""

    id = fields.BigIntField(primary_key=True)
    api_key: fields.ForeignKeyRelation[ApiKey] = fields.ForeignKeyField(
        "gateway.ApiKey", related_name="trusted_documents", on_delete=fields.CASCADE, db_index=True
    )
    api_key_id: int
    sha256 = fields.CharField(max_length=64)
    document = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "trusted_document"
        unique_together = (("api_key", "sha256"),)


@dataclass(frozen=True)
class Trust:
    """What the allow-list says of one document for one key."""

    allow_list: bool
    document: str | None = None

    @property
    def refused(self) -> bool:
        return self.allow_list and self.document is None


UNRESTRICTED = Trust(allow_list=False)


def sha256_of(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


async def register(api_key_id: int, documents: Sequence[str]) -> list[str]:
    """Trust the documents for the key (idempotent); returns their hashes in order."""
    hashes = [sha256_of(document) for document in documents]
    async with in_transaction() as connection:
        for sha256, document in zip(hashes, documents, strict=True):
            await TrustedDocument.get_or_create(
                api_key_id=api_key_id, sha256=sha256, defaults={"document": document}, using_db=connection
            )
    return hashes


async def trust_for(api_key_id: int, sha256: str) -> Trust:
    """Whether the key is in allow-list mode and, if the hash is registered, the document's text."""
    document = await TrustedDocument.filter(api_key_id=api_key_id, sha256=sha256).first()
    if document is not None:
        return Trust(allow_list=True, document=document.document)
    # A second, indexed lookup only when the hash is not registered: is the key restricted at all?
    if await TrustedDocument.filter(api_key_id=api_key_id).exists():
        return Trust(allow_list=True)
    return UNRESTRICTED
