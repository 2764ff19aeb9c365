"""Account's billing fields: balance, nextPayment, statements, payments, paymentMethods, autopay.
AccountType inherits them, so the billing domain keeps its fields in its own package."""

from __future__ import annotations

import strawberry

from models.access import Permission
from models.accounts.models import Account
from models.billing.balance import owed, upcoming_from
from schema.billing.types import (
    LINE_ITEMS,
    AutopayType,
    MoneyType,
    PaymentConnection,
    PaymentEdge,
    PaymentMethodType,
    PaymentType,
    StatementConnection,
    StatementEdge,
    UpcomingPaymentType,
    loaded_statements,
    money,
)
from schema.fastpath.declared import LoadAhead, by_parent, page_key
from schema.fastpath.eagerly import MaybeAwaitable, eagerly
from schema.node import cursor_for, page_info
from schema.permissions import Info, Requires

VIEW_BILLING = Requires(Permission.VIEW_BILLING)
STATEMENTS_PAGE = 12
PAYMENTS_PAGE = 20

# What the dashboard's fields load, loaded ahead by `account` (schema/fastpath/prefetch.py).
OPEN_STATEMENTS = LoadAhead(VIEW_BILLING, lambda loaders: loaders.open_statements_by_account, by_parent)
STATEMENTS = LoadAhead(
    VIEW_BILLING, lambda loaders: loaders.statement_page, page_key(STATEMENTS_PAGE), then=(LINE_ITEMS,)
)
PAYMENTS = LoadAhead(VIEW_BILLING, lambda loaders: loaders.payment_page, page_key(PAYMENTS_PAGE))


@strawberry.type(name="AccountBillingFields")
class BillingFields:
    model: strawberry.Private[Account]

    # The dashboard's fields are synchronous when the account's selection was loaded ahead
    # (schema/fastpath/prefetch.py), and finish as their coroutine when it was not (`eagerly`).

    @OPEN_STATEMENTS.field(graphql_type=MoneyType | None)
    def balance(self, info: Info) -> MaybeAwaitable[MoneyType | None]:
        return eagerly(self._balance(info))

    async def _balance(self, info: Info) -> MoneyType | None:
        statements = await OPEN_STATEMENTS.load(info, self.model.id)
        return money(owed(statements))

    @OPEN_STATEMENTS.field(graphql_type=UpcomingPaymentType | None)
    def next_payment(self, info: Info) -> MaybeAwaitable[UpcomingPaymentType | None]:
        return eagerly(self._next_payment(info))

    async def _next_payment(self, info: Info) -> UpcomingPaymentType | None:
        statements = OPEN_STATEMENTS.load(info, self.model.id)
        autopay = info.context.loaders.autopay_by_account.load(self.model.id)  # both in the same batch
        upcoming = upcoming_from(await statements, await autopay)
        return UpcomingPaymentType.from_model(upcoming) if upcoming else None

    @STATEMENTS.field(graphql_type=StatementConnection | None)
    def statements(
        self, info: Info, first: int | None = STATEMENTS_PAGE, after: str | None = strawberry.UNSET
    ) -> MaybeAwaitable[StatementConnection | None]:
        return eagerly(self._statements(info, first, after))

    async def _statements(self, info: Info, first: int | None, after: str | None) -> StatementConnection:
        page = await STATEMENTS.load(info, self.model.id, first=first, after=after)
        nodes = await loaded_statements(info, page.rows, *STATEMENTS.rows_at)
        edges = [StatementEdge(node=node, cursor=cursor_for(node.model.id)) for node in nodes]
        return StatementConnection(
            edges=edges, page_info=page_info(edges, page.has_next), account_id=self.model.id
        )

    @PAYMENTS.field(graphql_type=PaymentConnection | None)
    def payments(
        self, info: Info, first: int | None = PAYMENTS_PAGE, after: str | None = strawberry.UNSET
    ) -> MaybeAwaitable[PaymentConnection | None]:
        return eagerly(self._payments(info, first, after))

    async def _payments(self, info: Info, first: int | None, after: str | None) -> PaymentConnection:
        page = await PAYMENTS.load(info, self.model.id, first=first, after=after)
        # The page's query brought each payment's method along (Payment.select_related).
        edges = [
            PaymentEdge(node=PaymentType.from_model(p, p.payment_method), cursor=cursor_for(p.id))
            for p in page.rows
        ]
        return PaymentConnection(
            edges=edges, page_info=page_info(edges, page.has_next), account_id=self.model.id
        )

    @strawberry.field(permission_classes=[Requires(Permission.PAY_BILLS, Permission.MANAGE_PAYMENT_METHODS)])
    async def payment_methods(self, info: Info) -> list[PaymentMethodType] | None:
        methods = await info.context.loaders.payment_methods_by_account.load(self.model.id)
        return [PaymentMethodType.from_model(method) for method in methods]

    @strawberry.field(permission_classes=[VIEW_BILLING])
    async def autopay(self, info: Info) -> AutopayType | None:
        """Null when the account never enrolled; enabled false once cancelled."""
        enrollment = await info.context.loaders.autopay_by_account.load(self.model.id)
        return AutopayType(model=enrollment) if enrollment else None
