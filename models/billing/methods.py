"""Payment methods: saving one as the processor describes its token (one row shape for the API, the demo
household and the tests), adding, removing and making one the default.

Each change commits its rows and its activity event in one transaction. An account with any method
left always has a default: the first added, or the newest remaining when the default is removed."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models import activity
from models.activity import ActivityKind
from models.billing.charge import describe_method
from models.billing.errors import BillingRefused, Refusal, method_not_found, payments_unavailable
from models.billing.models import AutopayEnrollment, PaymentMethod
from models.billing.processor import PaymentProcessor, ProcessorUnavailable, TokenDetails
from models.db.clock import utcnow

if TYPE_CHECKING:
    from models.members.models import Member

MAX_PROCESSOR_TOKEN = 100


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


async def active_method(account_id: int, method_id: int | None, field: str) -> PaymentMethod:
    """The account's method `method_id` that was not removed; NOT_FOUND (on `field`) otherwise."""
    method = (
        await PaymentMethod.get_or_none(id=method_id, account_id=account_id, removed_at=None)
        if method_id is not None
        else None
    )
    if method is None:
        raise method_not_found(field)
    return method


async def lock_active_method(method: PaymentMethod, field: str, using_db: BaseDBAsyncClient) -> None:
    """Hold the method's row until the transaction ends, refusing it (NOT_FOUND) when it was removed
    meanwhile: a removal and an autopay enrolment of one method take this lock, so they happen in turn."""
    locked = (
        await PaymentMethod.select_for_update()
        .using_db(using_db)
        .filter(id=method.id, removed_at=None)
        .first()
    )
    if locked is None:
        raise method_not_found(field)


async def add_method(
    member: Member,
    processor: PaymentProcessor | None,
    token: str,
    *,
    make_default: bool = False,
    ip_address: str | None = None,
) -> PaymentMethod:
    """Save the processor's method for `token` on the member's account; the account's first method is
    its default. Raises BillingRefused (no processor or an unreachable one, a token it does not know)."""
    if processor is None:
        raise payments_unavailable()
    token = token.strip()
    account_id = member.account_id
    try:
        details = await processor.attach(account_id, token) if 0 < len(token) <= MAX_PROCESSOR_TOKEN else None
    except ProcessorUnavailable:
        raise payments_unavailable() from None
    if details is None:
        raise BillingRefused(
            Refusal.INVALID_PAYMENT_TOKEN, "The payment processor does not know this token.", "processorToken"
        )
    async with in_transaction() as connection:
        method = await save_method(account_id, token, details, using_db=connection)
        others = (
            await PaymentMethod.filter(account_id=account_id, removed_at=None)
            .exclude(id=method.id)
            .using_db(connection)
            .count()
        )
        if make_default or others == 0:
            await _make_default(method, connection)
        await _record(
            member,
            ActivityKind.PAYMENT_METHOD_ADDED,
            f"added {describe_method(method)}",
            ip_address,
            connection,
        )
    return method


async def remove_method(member: Member, method_id: int | None, *, ip_address: str | None = None) -> None:
    """Remove a method of the member's account; refused while autopay charges it."""
    method = await active_method(member.account_id, method_id, "id")
    account_id = member.account_id
    async with in_transaction() as connection:
        # Under the method's row lock, so an enrolment of it in parallel sees it removed, or is seen.
        await lock_active_method(method, "id", connection)
        in_use = AutopayEnrollment.filter(account_id=account_id, payment_method_id=method.id, enabled=True)
        if await in_use.using_db(connection).exists():
            raise BillingRefused(
                Refusal.PAYMENT_METHOD_IN_USE,
                "Autopay charges this payment method: change or cancel autopay first.",
                "id",
            )
        await (
            PaymentMethod.filter(id=method.id)
            .using_db(connection)
            .update(removed_at=utcnow(), is_default=False)
        )
        if method.is_default:
            # The newest remaining method takes over, so there is a default while any method is left.
            newest = (
                await PaymentMethod.filter(account_id=account_id, removed_at=None)
                .order_by("-id")
                .using_db(connection)
                .first()
            )
            if newest is not None:
                await _make_default(newest, connection)
        await _record(
            member,
            ActivityKind.PAYMENT_METHOD_REMOVED,
            f"removed {describe_method(method)}",
            ip_address,
            connection,
        )


async def make_default(
    member: Member, method_id: int | None, *, ip_address: str | None = None
) -> PaymentMethod:
    """Make a method of the member's account its default, in place of the one before."""
    method = await active_method(member.account_id, method_id, "id")
    async with in_transaction() as connection:
        await _make_default(method, connection)
        await _record(
            member,
            ActivityKind.PAYMENT_METHOD_DEFAULT,
            f"made {describe_method(method)} the default",
            ip_address,
            connection,
        )
    return method


async def _make_default(method: PaymentMethod, using_db: BaseDBAsyncClient) -> None:
    await (
        PaymentMethod.filter(account_id=method.account_id, is_default=True)
        .exclude(id=method.id)
        .using_db(using_db)
        .update(is_default=False)
    )
    await PaymentMethod.filter(id=method.id).using_db(using_db).update(is_default=True)
    method.is_default = True


async def _record(
    member: Member, kind: ActivityKind, summary: str, ip_address: str | None, using_db: BaseDBAsyncClient
) -> None:
    await activity.record_by(
        member, kind, f"{member.display_name} {summary}", ip_address=ip_address, using_db=using_db
    )
