"""Query.node: each kind of global ID, how to load it within the caller's account, and the routes of
fields that lead to it. node answers exactly what those fields answer: an object is shown when some
route's fields all allow the caller (their own permission classes, schema.permissions.field_allows)
and the object is among those the route's last field gives."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from models.access import Role
from models.activity import ActivityEvent
from models.billing.models import Payment
from models.partners.api_keys import ApiKey
from models.services.appointments import Appointment
from models.services.models import Service
from schema.accounts.activity import ActivityEventType
from schema.accounts.types import AccountType, load_account
from schema.billing.types import AutopayType, PaymentMethodType, PaymentType, loaded_statements
from schema.context import Caller, Principal
from schema.members.types import MemberType
from schema.node import Node
from schema.partners.types import ApiKeyType
from schema.permissions import Info, field_allows
from schema.services.types import AppointmentType, ServiceType

# The caller's account id and the object's primary key -> the object as a Node, or None.
Load = Callable[[Info, int, int], Awaitable[Node | None]]
# Whether the loaded object (of the caller's account, whose id is given) is one the route's last field gives.
Holds = Callable[[Info, int, Any], Awaitable[bool]]


async def _every(info: Info, account_id: int, found: Any) -> bool:
    return True


@dataclass(frozen=True)
class Route:
    """One way from the caller to objects of a kind: the fields in order, as (GraphQL type, Python field
    name) from Query.account on (an empty route: a root field with no permission of its own, e.g.
    Query.me), and which of the account's objects the last field gives. The fields' permission classes
    get no parent object: none of them is a rule about the member themself."""

    fields: tuple[tuple[type, str], ...]
    holds: Holds = _every

    async def reaches(self, info: Info, account_id: int, found: Any) -> bool:
        for owner, name in self.fields:
            if not await field_allows(info, owner, name):
                return False
        return await self.holds(info, account_id, found)


@dataclass(frozen=True)
class NodeKind:
    load: Load
    routes: tuple[Route, ...]


async def _account(info: Info, account_id: int, pk: int) -> Node | None:
    return await load_account(info) if pk == account_id else None


async def _member(info: Info, account_id: int, pk: int) -> Node | None:
    member = await info.context.loaders.member_by_id.load(pk)
    if member is None or member.account_id != account_id:
        return None
    return MemberType(model=member)


async def _is_caller(info: Info, account_id: int, found: MemberType) -> bool:
    caller = info.context.caller
    return isinstance(caller, Principal) and caller.member.id == found.model.id


async def _is_primary(info: Info, account_id: int, found: MemberType) -> bool:
    return found.model.role_enum is Role.PRIMARY


async def _is_listed(info: Info, account_id: int, found: MemberType) -> bool:
    return found.model.removed_at is None  # as schema.loaders.visible_members


async def _acted(info: Info, account_id: int, found: MemberType) -> bool:
    return await ActivityEvent.filter(account_id=account_id, actor_id=found.model.id).exists()


async def _statement(info: Info, account_id: int, pk: int) -> Node | None:
    statement = await info.context.loaders.statement_by_id.load(pk)
    if statement is None or statement.account_id != account_id:
        return None
    return (await loaded_statements(info, [statement]))[0]


async def _paid_by_a_payment(info: Info, account_id: int, found: Any) -> bool:
    return await Payment.filter(account_id=account_id, statement_id=found.model.id).exists()


async def _payment(info: Info, account_id: int, pk: int) -> Node | None:
    payment = await Payment.filter(id=pk, account_id=account_id).select_related("payment_method").first()
    return PaymentType.from_model(payment, payment.payment_method) if payment else None


async def _payment_method(info: Info, account_id: int, pk: int) -> Node | None:
    method = await info.context.loaders.payment_method_by_id.load(pk)
    if method is None or method.account_id != account_id:
        return None
    return PaymentMethodType.from_model(method)


async def _saved(info: Info, account_id: int, found: PaymentMethodType) -> bool:
    return found.model.removed_at is None  # as the paymentMethods loader lists them


async def _used_by_a_payment(info: Info, account_id: int, found: PaymentMethodType) -> bool:
    return await Payment.filter(account_id=account_id, payment_method_id=found.model.id).exists()


async def _autopays_with(info: Info, account_id: int, found: PaymentMethodType) -> bool:
    enrollment = await info.context.loaders.autopay_by_account.load(account_id)
    return (
        enrollment is not None
        and enrollment.enabled  # Autopay.paymentMethod is null once cancelled
        and enrollment.payment_method_id == found.model.id
    )


async def _service(info: Info, account_id: int, pk: int) -> Node | None:
    service = await Service.get_or_none(id=pk, account_id=account_id)
    return ServiceType(model=service) if service else None


async def _appointment(info: Info, account_id: int, pk: int) -> Node | None:
    appointment = await Appointment.get_or_none(id=pk, account_id=account_id)
    return AppointmentType(model=appointment) if appointment else None


async def _api_key(info: Info, account_id: int, pk: int) -> Node | None:
    key = await ApiKey.get_or_none(id=pk, account_id=account_id)
    return ApiKeyType(model=key) if key else None


async def _live(info: Info, account_id: int, found: ApiKeyType) -> bool:
    return found.model.revoked_at is None  # as Account.apiKeys lists them


async def _activity_event(info: Info, account_id: int, pk: int) -> Node | None:
    event = await ActivityEvent.get_or_none(id=pk, account_id=account_id)
    return ActivityEventType(model=event) if event else None


NODE_KINDS: dict[str, NodeKind] = {
    "Account": NodeKind(_account, (Route(()),)),  # Query.account
    "Member": NodeKind(
        _member,
        (
            Route((), _is_caller),  # Query.me
            Route(((AccountType, "primary"),), _is_primary),
            Route(((AccountType, "members"),), _is_listed),
            Route(((AccountType, "activity"), (ActivityEventType, "actor")), _acted),
        ),
    ),
    "Statement": NodeKind(
        _statement,
        (
            Route(((AccountType, "statements"),)),
            Route(((AccountType, "payments"), (PaymentType, "statement")), _paid_by_a_payment),
        ),
    ),
    "Payment": NodeKind(_payment, (Route(((AccountType, "payments"),)),)),
    "PaymentMethod": NodeKind(
        _payment_method,
        (
            Route(((AccountType, "payment_methods"),), _saved),
            Route(((AccountType, "payments"), (PaymentType, "payment_method")), _used_by_a_payment),
            Route(((AccountType, "autopay"), (AutopayType, "payment_method")), _autopays_with),
        ),
    ),
    "Service": NodeKind(_service, (Route(((AccountType, "services"),)),)),
    "Appointment": NodeKind(_appointment, (Route(((AccountType, "appointments"),)),)),
    "ApiKey": NodeKind(_api_key, (Route(((AccountType, "api_keys"),), _live),)),
    "ActivityEvent": NodeKind(_activity_event, (Route(((AccountType, "activity"),)),)),
}


async def node_for(info: Info, caller: Caller, type_name: str, pk: int) -> Node | None:
    """The object, or None when the ID names nothing of the caller's account or nothing it may see."""
    kind = NODE_KINDS.get(type_name)
    if kind is None:
        return None
    found = await kind.load(info, caller.account_id, pk)
    if found is None:
        return None
    for route in kind.routes:
        if await route.reaches(info, caller.account_id, found):
            return found
    return None
