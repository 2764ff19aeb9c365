"""Billing types: Money, Statement, LineItem, Payment, PaymentMethod, Autopay, UpcomingPayment."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from models.billing import (
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
from models.charge import UpcomingPayment
from schema.ids import to_global_id
from schema.node import Node, PageInfo
from schema.permissions import Info

strawberry.enum(PaymentMethodKind, name="PaymentMethodKind")
strawberry.enum(StatementStatus, name="StatementStatus")
strawberry.enum(PaymentStatus, name="PaymentStatus")
strawberry.enum(PaymentSource, name="PaymentSource")


@strawberry.type(name="Money", description="Money in minor units (cents).")
class MoneyType:
    amount: int
    currency: str
    formatted: str


def money(cents: int) -> MoneyType:
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
    model: strawberry.Private[Statement]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Statement", self.model.id))

    @strawberry.field
    def period_start(self) -> date:
        return self.model.period_start

    @strawberry.field
    def period_end(self) -> date:
        return self.model.period_end

    @strawberry.field
    def issued_at(self) -> datetime:
        return self.model.issued_at

    @strawberry.field
    def due_date(self) -> date:
        return self.model.due_date

    @strawberry.field
    def amount_due(self) -> MoneyType:
        return money(self.model.amount_due)

    @strawberry.field
    def amount_paid(self) -> MoneyType:
        return money(self.model.amount_paid)

    @strawberry.field
    def status(self) -> StatementStatus:
        # OVERDUE is shown, never stored: an OPEN statement past its due date (UTC calendar day).
        if self.model.status == StatementStatus.OPEN and self.model.due_date < date.today():
            return StatementStatus.OVERDUE
        return StatementStatus(self.model.status)

    @strawberry.field
    async def line_items(self, info: Info) -> list[LineItemType]:
        items = await info.context.loaders.line_items_by_statement.load(self.model.id)
        return [LineItemType.from_model(item) for item in items]


@strawberry.type(name="PaymentMethod")
class PaymentMethodType(Node):
    model: strawberry.Private[PaymentMethod]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("PaymentMethod", self.model.id))

    @strawberry.field
    def kind(self) -> PaymentMethodKind:
        return PaymentMethodKind(self.model.kind)

    @strawberry.field(description='"visa", "mastercard", ... for cards; bank name for accounts.')
    def brand(self) -> str | None:
        return self.model.brand

    @strawberry.field
    def last4(self) -> str:
        return self.model.last4

    @strawberry.field
    def exp_month(self) -> int | None:
        month = self.model.exp_month
        return int(month) if month is not None else None

    @strawberry.field
    def exp_year(self) -> int | None:
        year = self.model.exp_year
        return int(year) if year is not None else None

    @strawberry.field
    def is_default(self) -> bool:
        return self.model.is_default and self.model.removed_at is None


@strawberry.type(name="Payment")
class PaymentType(Node):
    model: strawberry.Private[Payment]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Payment", self.model.id))

    @strawberry.field
    def amount(self) -> MoneyType:
        return money(self.model.amount)

    @strawberry.field
    def status(self) -> PaymentStatus:
        return PaymentStatus(self.model.status)

    @strawberry.field
    def source(self) -> PaymentSource:
        return PaymentSource(self.model.source)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field
    def failure_reason(self) -> str | None:
        return self.model.failure_reason

    @strawberry.field
    async def payment_method(self, info: Info) -> PaymentMethodType | None:
        method_id = self.model.payment_method_id  # type: ignore[attr-defined]
        if method_id is None:
            return None
        method = await info.context.loaders.payment_method_by_id.load(int(method_id))
        return PaymentMethodType(model=method) if method else None

    @strawberry.field
    async def statement(self, info: Info) -> StatementType | None:
        statement_id = self.model.statement_id  # type: ignore[attr-defined]
        if statement_id is None:
            return None
        statement = await info.context.loaders.statement_by_id.load(int(statement_id))
        return StatementType(model=statement) if statement else None


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
        method_id = int(self.model.payment_method_id)  # type: ignore[attr-defined]
        method = await info.context.loaders.payment_method_by_id.load(method_id)
        return PaymentMethodType(model=method) if method else None

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
