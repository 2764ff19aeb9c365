"""Saving a payment method as the processor describes its token: one row shape for the API, the demo
household and the tests."""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from models.billing.models import PaymentMethod
from models.billing.processor import TokenDetails


async def save_method(
    account_id: int,
    token: str,
    details: TokenDetails,
    *,
    default: bool = False,
    created_at: datetime | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> PaymentMethod:
    """The account's new method for `token`, with the brand, last four and expiry the processor gave."""
    return await PaymentMethod.create(
        account_id=account_id,
        kind=details.kind,
        brand=details.brand,
        last4=details.last4,
        exp_month=details.exp_month,
        exp_year=details.exp_year,
        processor_token=token,
        is_default=default,
        **({"created_at": created_at} if created_at is not None else {}),
        using_db=using_db,
    )
