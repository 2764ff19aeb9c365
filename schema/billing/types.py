"""Billing types: Money, Statement, LineItem, Payment, PaymentMethod, Autopay, UpcomingPayment."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated

import strawberry

from models.access import Permission
from models.billing.balance import UpcomingPayment
from models.billing.declines import decline_sentence
from models.billing.models import (
    CURRENCY,
    AutopayEnrollment,
    LineItem,
    Payment,
    PaymentMethod,
    PaymentMethodKind,
    PaymentSource,
    PaymentStatus,
    Statement,
    StatementStatus,
    format_money,
)
from models.billing.statement_links import LINK_SECONDS, PDF_PATH, signed_expiry
from models.db.clock import utcnow
from schema.fastpath.declared import RowLoad
from schema.ids import to_global_id
from schema.node import Node, PageInfo
from schema.permissions import Info, Requires

if TYPE_CHECKING:
    from schema.members.types import MemberType

strawberry.enum(PaymentMethodKind, name="PaymentMethodKind")
strawberry.enum(StatementStatus, name="StatementStatus")
strawberry.enum(PaymentStatus, name="PaymentStatus")
strawberry.enum(PaymentSource, name="PaymentSource")


@strawberry.type(name="Money", description="Money in minor units (cents).")
class MoneyType:
    amount: int
    currency: str
    formatted: str


@lru_cache(maxsize=4096)
def money(cents: int) -> MoneyType:
    """One shared, never-changed MoneyType per amount: a dashboard shows the same few amounts over and
    over (every line item of a plan, every autopay charge), and formatting each anew was most of it."""
    return MoneyType(amount=cents, currency=CURRENCY, formatted=format_money(cents))


@strawberry.type(name="LineItem")
class LineItemType:
    description: str
    amount: MoneyType

    @classmethod
    def from_model(cls, item: LineItem) -> LineItemType:
        return cls(description=item.description, amount=money(item.amount))


@strawberry.type(name="Statement")
class StatementType(Node):
    """Built whole from its row and line items (from_model): plain fields resolve with no resolver call,
    so a page of statements completes without a suspension per statement."""

    id: strawberry.ID  # type: ignore[assignment]  # a plain field implements Node's id
    period_start: date
    period_end: date
    issued_at: datetime
    due_date: date
    amount_due: MoneyType
    amount_paid: MoneyType
    status: StatementStatus
    line_items: list[LineItemType]
    model: strawberry.Private[Statement]

    @classmethod
    def from_model(cls, statement: Statement, line_items: Sequence[LineItem]) -> StatementType:
        """`line_items` may be empty only when the request does not select them (see loaded_statements)."""
        return cls(
            id=strawberry.ID(to_global_id("Statement", statement.id)),
            period_start=statement.period_start,
            period_end=statement.period_end,
            issued_at=statement.issued_at,
            due_date=statement.due_date,
            amount_due=money(statement.amount_due),
            amount_paid=money(statement.amount_paid),
            status=shown_status(statement),
            line_items=[LineItemType.from_model(item) for item in line_items],
            model=statement,
        )

    @strawberry.field(
        permission_classes=[Requires(Permission.VIEW_BILLING)],
        description=(
            f"A link to this statement as a PDF, for {LINK_SECONDS // 60} minutes. Opening it takes the "
            "session (or API key) of someone who may view this account's billing, as reading it does."
        ),
    )
    def pdf_url(self, info: Info) -> str | None:
        settings = info.context.settings
        expires, signature = signed_expiry(settings.secret_key, self.model.id, utcnow())
        path = PDF_PATH.format(statement_id=self.id)
        return f"{settings.public_url}{path}?expires={expires}&signature={signature}"


def shown_status(statement: Statement) -> StatementStatus:
    # OVERDUE is shown, never stored: an OPEN statement past its due date (UTC calendar day).
    if statement.status == StatementStatus.OPEN and statement.due_date < date.today():
        return StatementStatus.OVERDUE
    return StatementStatus(statement.status)


# A statement's line items: what `lineItems` shows, loaded for every statement of a page at once.
LINE_ITEMS: RowLoad[Statement, int, list[LineItem]] = RowLoad(
    ("lineItems",), lambda loaders: loaders.line_items_by_statement, lambda statement: statement.id
)


async def loaded_statements(info: Info, statements: Sequence[Statement], *path: str) -> list[StatementType]:
    """Statement types with their line items, fetched in one batch only when the selection at `path`
    (GraphQL names from the current field down to a Statement) asks for them (LINE_ITEMS)."""
    loaded = await LINE_ITEMS.load_rows(info, statements, *path)
    items: Sequence[Sequence[LineItem]] = [()] * len(statements) if loaded is None else loaded
    return [StatementType.from_model(s, mine) for s, mine in zip(statements, items, strict=True)]


@strawberry.type(name="PaymentMethod")
class PaymentMethodType(Node):
    id: strawberry.ID  # type: ignore[assignment]  # a plain field implements Node's id
    kind: PaymentMethodKind
    brand: str | None = strawberry.field(
        description='"visa", "mastercard", ... for cards; bank name for accounts.'
    )
    last4: str
    exp_month: int | None
    exp_year: int | None
    is_default: bool
    model: strawberry.Private[PaymentMethod]

    @classmethod
    def from_model(cls, method: PaymentMethod) -> PaymentMethodType:
        return cls(
            id=strawberry.ID(to_global_id("PaymentMethod", method.id)),
            kind=PaymentMethodKind(method.kind),
            brand=method.brand,
            last4=method.last4,
            exp_month=int(method.exp_month) if method.exp_month is not None else None,
            exp_year=int(method.exp_year) if method.exp_year is not None else None,
            is_default=method.is_default and method.removed_at is None,
            model=method,
        )


@strawberry.type(name="Payment")
class PaymentType(Node):
    """Built whole from its row and the method it used (from_model), like StatementType."""

    id: strawberry.ID  # type: ignore[assignment]  # a plain field implements Node's id
    amount: MoneyType
    status: PaymentStatus
    source: PaymentSource
    created_at: datetime
    failure_reason: str | None = strawberry.field(
        description="A FAILED payment's code from the processor (card_declined, ...), for operators and apps."
    )
    failure_message: str | None = strawberry.field(
        description="A FAILED payment's reason in a sentence for the member (the code is failureReason)."
    )
    next_action: str | None = strawberry.field(
        description="While PENDING for the member (3-D Secure): the link where they confirm the payment."
    )
    payment_method: PaymentMethodType | None
    model: strawberry.Private[Payment]

    @classmethod
    def from_model(cls, payment: Payment, method: PaymentMethod | None) -> PaymentType:
        return cls(
            id=strawberry.ID(to_global_id("Payment", payment.id)),
            amount=money(payment.amount),
            status=PaymentStatus(payment.status),
            source=PaymentSource(payment.source),
            created_at=payment.created_at,
            failure_reason=payment.failure_reason,
            failure_message=decline_sentence(payment.failure_reason)
            if payment.status == PaymentStatus.FAILED
            else None,
            next_action=payment.next_action,
            payment_method=PaymentMethodType.from_model(method) if method is not None else None,
            model=payment,
        )

    @strawberry.field
    async def statement(self, info: Info) -> StatementType | None:
        statement_id = self.model.statement_id
        if statement_id is None:
            return None
        statement = await info.context.loaders.statement_by_id.load(statement_id)
        if statement is None:
            return None
        return (await loaded_statements(info, [statement]))[0]

    @strawberry.field(
        description="The member who paid; null for autopay, a partner app or a member since removed."
    )
    async def paid_by(
        self, info: Info
    ) -> Annotated[MemberType, strawberry.lazy("schema.members.types")] | None:
        from schema.members.types import MemberType

        member_id = self.model.paid_by_id
        member = await info.context.loaders.member_by_id.load(member_id) if member_id is not None else None
        return MemberType(model=member) if member is not None else None


@strawberry.type(name="Autopay")
class AutopayType:
    model: strawberry.Private[AutopayEnrollment]

    @strawberry.field
    def enabled(self) -> bool:
        return self.model.enabled

    @strawberry.field
    async def payment_method(self, info: Info) -> PaymentMethodType | None:
        if not self.model.enabled:
            return None
        method_id = self.model.payment_method_id
        method = await info.context.loaders.payment_method_by_id.load(method_id)
        return PaymentMethodType.from_model(method) if method else None

    @strawberry.field(
        description="Charge this many days before each statement's due date (0 = on the due date)."
    )
    def days_before_due(self) -> int:
        return int(self.model.days_before_due)

    @strawberry.field(
        description=(
            "Statements above this are not charged automatically; the member is told instead. "
            "Null: no ceiling."
        )
    )
    def max_amount(self) -> MoneyType | None:
        return money(self.model.max_amount) if self.model.max_amount is not None else None


@strawberry.type(name="UpcomingPayment")
class UpcomingPaymentType:
    amount: MoneyType
    due_date: date
    autopay: bool

    @classmethod
    def from_model(cls, upcoming: UpcomingPayment) -> UpcomingPaymentType:
        return cls(amount=money(upcoming.amount), due_date=upcoming.due_date, autopay=upcoming.autopay)


@strawberry.type
class StatementEdge:
    node: StatementType
    cursor: str


@strawberry.type
class StatementConnection:
    edges: list[StatementEdge]
    page_info: PageInfo
    account_id: strawberry.Private[int]

    @strawberry.field
    async def total_count(self, info: Info) -> int:
        return await info.context.loaders.statement_count_by_account.load(self.account_id)


@strawberry.type
class PaymentEdge:
    node: PaymentType
    cursor: str


@strawberry.type
class PaymentConnection:
    edges: list[PaymentEdge]
    page_info: PageInfo
    account_id: strawberry.Private[int]

    @strawberry.field
    async def total_count(self, info: Info) -> int:
        return await info.context.loaders.payment_count_by_account.load(self.account_id)
