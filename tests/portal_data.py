"""An account with `size` of everything the portal's pages list: members (some with grants), statements
with line items, payments, payment methods and autopay, activity by its members, metered services with
their usage, appointments, API keys, and the primary's sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from models.access import Permission, Role
from models.accounts.models import Account
from models.activity import ActivityEvent, ActivityKind
from models.billing.models import AutopayEnrollment, PaymentMethod, PaymentMethodKind
from models.db.clock import utcnow
from models.members.models import Member, PermissionGrant
from models.partners.api_keys import ApiKey
from models.security.models import Session
from models.security.tokens import hash_token
from models.services.appointments import Appointment
from models.services.models import Service
from models.services.usage import DataUsage, period_start_of
from tests.support import make_account, make_member
from tests.test_speed import seed


@dataclass(frozen=True)
class PortalAccount:
    account: Account
    primary: Member
    username: str


async def account_with(size: int) -> PortalAccount:
    """A new account, its primary (who may see every page) and `size` rows of each list."""
    account = await make_account(f"Portal {size}")
    username = f"portal{size}"
    primary = await make_member(account, username, role=Role.PRIMARY)
    prefix = f"p{size}"
    await seed(account, size, prefix=prefix)
    members = await Member.filter(account_id=account.id, username__startswith=f"{prefix}m")
    await PermissionGrant.bulk_create(
        [PermissionGrant(member_id=member.id, permission=Permission.VIEW_BILLING) for member in members]
    )
    await billing(account, size)
    await activity(account, [primary, *members], size)
    await services(account, size)
    await keys_and_sessions(account, primary, size)
    return PortalAccount(account, primary, username)


async def billing(account: Account, size: int) -> None:
    """`size` more payment methods, and autopay on the first one."""
    await PaymentMethod.bulk_create(
        [
            PaymentMethod(
                account_id=account.id,
                kind=PaymentMethodKind.CARD,
                brand="mastercard",
                last4=f"{index:04d}",
                exp_month=1 + index % 12,
                exp_year=2041,
                processor_token=f"tok_{index}",
                is_default=False,
            )
            for index in range(size)
        ]
    )
    method = await PaymentMethod.filter(account_id=account.id).order_by("id").first()
    assert method is not None
    await AutopayEnrollment.create(account_id=account.id, payment_method_id=method.id, max_amount=50_000)


async def activity(account: Account, actors: list[Member], size: int) -> None:
    """`size` events, each by another member (the page's actors load in one batch)."""
    now = utcnow()
    await ActivityEvent.bulk_create(
        [
            ActivityEvent(
                account_id=account.id,
                actor_id=actors[index % len(actors)].id,
                kind=ActivityKind.SIGN_IN,
                summary=f"Event {index}",
                ip_address="203.0.113.9",
                at=now - timedelta(minutes=index),
            )
            for index in range(size)
        ]
    )


async def services(account: Account, size: int) -> None:
    """`size` metered services with this period's usage, and `size` appointments ahead."""
    await Service.bulk_create(
        [
            Service(
                account_id=account.id,
                kind="INTERNET",
                plan=f"Plan {index}",
                monthly_price=5000 + index,
                allowance_bytes=10**12,
            )
            for index in range(size)
        ]
    )
    start = period_start_of(account, utcnow())
    service_ids = await Service.filter(account_id=account.id).values_list("id", flat=True)
    await DataUsage.bulk_create(
        [DataUsage(service_id=service_id, period_start=start, used_bytes=10**9) for service_id in service_ids]
    )
    soon = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    await Appointment.bulk_create(
        [
            Appointment(
                account_id=account.id,
                starts_at=soon + timedelta(hours=2 * index),
                ends_at=soon + timedelta(hours=2 * index + 2),
                reason=f"Visit {index}",
            )
            for index in range(size)
        ]
    )


async def keys_and_sessions(account: Account, primary: Member, size: int) -> None:
    """`size` live API keys made by the primary, and `size` other live sessions of theirs."""
    now = utcnow()
    await ApiKey.bulk_create(
        [
            ApiKey(
                account_id=account.id,
                created_by_id=primary.id,
                name=f"Key {index}",
                prefix=f"ag_{account.id}_{index}"[:12],
                key_hash=hash_token(f"key {account.id} {index}"),
                permissions=[Permission.VIEW_BILLING.value],
            )
            for index in range(size)
        ]
    )
    await Session.bulk_create(
        [
            Session(
                member_id=primary.id,
                token_hash=hash_token(f"session {primary.id} {index}"),
                user_agent="Mozilla/5.0",
                ip_address="203.0.113.9",
                created_at=now - timedelta(minutes=index),
                last_seen_at=now - timedelta(minutes=index),
                expires_at=now + timedelta(days=1),
            )
            for index in range(size)
        ]
    )
