"""Finding the caller's payment methods by global ID."""

from __future__ import annotations

from models.billing.models import PaymentMethod
from schema.errors import ErrorCode, UserError, user_error
from schema.ids import pk_of
from schema.permissions import Info, caller_of


async def active_method(info: Info, global_id: str) -> PaymentMethod | None:
    """A payment method of the caller's account that was not removed."""
    pk = pk_of(global_id, "PaymentMethod")
    if pk is None:
        return None
    return await PaymentMethod.get_or_none(id=pk, account_id=caller_of(info).account_id, removed_at=None)


def method_not_found(field: str) -> UserError:
    return user_error(ErrorCode.NOT_FOUND, "No such payment method on this account.", field)
