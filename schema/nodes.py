"""Query.node: each kind of global ID, how to load it within the caller's account, and the permission
class of the field that lists it (schema/permissions.py), which decides whether the caller sees it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from strawberry.permission import BasePermission

from models.access import Permission
from models.activity import ActivityEvent
from models.api_keys import ApiKey
from models.appointments import Appointment
from models.billing import Payment
from models.services import Service
from schema.accounts.activity import ActivityEventType
from schema.accounts.types import load_account
from schema.billing.account_fields import VIEW_BILLING
from schema.billing.types import PaymentMethodType, PaymentType, loaded_statements
from schema.context import Caller
from schema.members.types import MemberType
from schema.node import Node
from schema.partners.types import ApiKeyType
from schema.permissions import Info, IsCaller, Requires, SelfOr
from schema.services.types import AppointmentType, ServiceType

# The caller's account id and the object's primary key -> the object as a Node, or None.
Load = Callable[[Info, int, int], Awaitable[Node | None]]


@dataclass(frozen=True)
class NodeKind:
    load: Load
    permission: type[BasePermission]  # the class on the field that lists these objects


async def _account(info: Info, account_id: int, pk: int) -> Node | None:
    return await load_account(info) if pk == account_id else None


async def _member(info: Info, account_id: int, pk: int) -> Node | None:
    member = await info.context.loaders.member_by_id.load(pk)
    if member is None or member.account_id != account_id:  # type: ignore[attr-defined]
        return None
    return MemberType(model=member)


async def _statement(info: Info, account_id: int, pk: int) -> Node | None:
    statement = await info.context.loaders.statement_by_id.load(pk)
    if statement is None or statement.account_id != account_id:  # type: ignore[attr-defined]
        return None
    return (await loaded_statements(info, [statement]))[0]


async def _payment(info: Info, account_id: int, pk: int) -> Node | None:
    payment = await Payment.filter(id=pk, account_id=account_id).select_related("payment_method").first()
    return PaymentType.from_model(payment, payment.payment_method) if payment else None


async def _payment_method(info: Info, account_id: int, pk: int) -> Node | None:
    method = await info.context.loaders.payment_method_by_id.load(pk)
    if method is None or method.account_id != account_id:  # type: ignore[attr-defined]
        return None
    return PaymentMethodType.from_model(method)


async def _service(info: Info, account_id: int, pk: int) -> Node | None:
    service = await Service.get_or_none(id=pk, account_id=account_id)
    return ServiceType(model=service) if service else None


async def _appointment(info: Info, account_id: int, pk: int) -> Node | None:
    appointment = await Appointment.get_or_none(id=pk, account_id=account_id)
    return AppointmentType(model=appointment) if appointment else None


async def _api_key(info: Info, account_id: int, pk: int) -> Node | None:
    key = await ApiKey.get_or_none(id=pk, account_id=account_id, revoked_at=None)
    return ApiKeyType(model=key) if key else None


async def _activity_event(info: Info, account_id: int, pk: int) -> Node | None:
    event = await ActivityEvent.get_or_none(id=pk, account_id=account_id)
    return ActivityEventType(model=event) if event else None


NODE_KINDS: dict[str, NodeKind] = {
    "Account": NodeKind(_account, IsCaller),
    "Member": NodeKind(_member, SelfOr(Permission.VIEW_MEMBERS)),
    "Statement": NodeKind(_statement, VIEW_BILLING),
    "Payment": NodeKind(_payment, VIEW_BILLING),
    # A past payment names its method under VIEW_BILLING; the list of methods needs more.
    "PaymentMethod": NodeKind(
        _payment_method,
        Requires(Permission.VIEW_BILLING, Permission.PAY_BILLS, Permission.MANAGE_PAYMENT_METHODS),
    ),
    "Service": NodeKind(_service, IsCaller),
    "Appointment": NodeKind(_appointment, Requires(Permission.MANAGE_SERVICES)),
    "ApiKey": NodeKind(_api_key, Requires(Permission.MANAGE_MEMBERS)),
    "ActivityEvent": NodeKind(_activity_event, Requires(Permission.VIEW_ACTIVITY)),
}


async def node_for(info: Info, caller: Caller, type_name: str, pk: int) -> Node | None:
    """The object, or None when the ID names nothing of the caller's account or nothing it may see."""
    kind = NODE_KINDS.get(type_name)
    if kind is None:
        return None
    found = await kind.load(info, caller.account_id, pk)
    if found is None or not kind.permission().has_permission(found, info):
        return None
    return found
