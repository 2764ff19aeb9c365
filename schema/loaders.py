"""DataLoaders, built fresh for every request over the batch reads of schema/batches.py."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from strawberry.dataloader import DataLoader

from models.access import Permission
from models.accounts.models import Account
from models.activity import ActivityEvent
from models.billing.models import AutopayEnrollment, LineItem, Payment, PaymentMethod, Statement
from models.members.models import Member
from models.partners.api_keys import ApiKey, live_keys_by_account
from models.security.models import Session
from models.services.appointments import Appointment
from models.services.models import Service
from models.services.usage import DataUsage
from schema import batches
from schema.batches import Page, PageKey
from schema.services.loaders import (
    UsageKey,
    appointments_by_account,
    services_by_account,
    usage_by_service_period,
)


class Loaders:
    """The request's loaders, each made on first use: a request touches a few of these, and making
    all of them for every request cost more than some of the queries they save."""

    @cached_property
    def member_by_id(self) -> DataLoader[int, Member | None]:
        return DataLoader(load_fn=batches.members_by_id)

    @cached_property
    def primary_by_account(self) -> DataLoader[int, Member | None]:
        return DataLoader(load_fn=batches.primary_by_account)

    @cached_property
    def grants_by_member(self) -> DataLoader[int, list[Permission]]:
        return DataLoader(load_fn=batches.grants_by_member)

    @cached_property
    def sessions_by_member(self) -> DataLoader[int, list[Session]]:
        return DataLoader(load_fn=batches.sessions_by_member)

    @cached_property
    def member_page(self) -> DataLoader[PageKey, Page[Member]]:
        return DataLoader(load_fn=batches.member_pages)

    @cached_property
    def member_count_by_account(self) -> DataLoader[int, int]:
        return DataLoader(load_fn=batches.member_counts)

    @cached_property
    def activity_page(self) -> DataLoader[PageKey, Page[ActivityEvent]]:
        return DataLoader(load_fn=batches.activity_pages)

    @cached_property
    def activity_count_by_account(self) -> DataLoader[int, int]:
        return DataLoader(load_fn=batches.activity_counts)

    @cached_property
    def statement_by_id(self) -> DataLoader[int, Statement | None]:
        return DataLoader(load_fn=batches.statements_by_id)

    @cached_property
    def payment_method_by_id(self) -> DataLoader[int, PaymentMethod | None]:
        return DataLoader(load_fn=batches.payment_methods_by_id)

    @cached_property
    def line_items_by_statement(self) -> DataLoader[int, list[LineItem]]:
        return DataLoader(load_fn=batches.line_items_by_statement)

    @cached_property
    def open_statements_by_account(self) -> DataLoader[int, list[Statement]]:
        return DataLoader(load_fn=batches.open_statements_by_account)

    @cached_property
    def payment_methods_by_account(self) -> DataLoader[int, list[PaymentMethod]]:
        return DataLoader(load_fn=batches.payment_methods_by_account)

    @cached_property
    def autopay_by_account(self) -> DataLoader[int, AutopayEnrollment | None]:
        return DataLoader(load_fn=batches.autopay_by_account)

    @cached_property
    def statement_page(self) -> DataLoader[PageKey, Page[Statement]]:
        return DataLoader(load_fn=batches.statement_pages)

    @cached_property
    def statement_count_by_account(self) -> DataLoader[int, int]:
        return DataLoader(load_fn=batches.statement_counts)

    @cached_property
    def payment_count_by_account(self) -> DataLoader[int, int]:
        return DataLoader(load_fn=batches.payment_counts)

    @cached_property
    def services_by_account(self) -> DataLoader[int, list[Service]]:
        return DataLoader(load_fn=services_by_account)

    @cached_property
    def usage_by_service_period(self) -> DataLoader[UsageKey, DataUsage | None]:
        return DataLoader(load_fn=usage_by_service_period)

    @cached_property
    def appointments_by_account(self) -> DataLoader[int, list[Appointment]]:
        return DataLoader(load_fn=appointments_by_account)

    @cached_property
    def api_keys_by_account(self) -> DataLoader[int, list[ApiKey]]:
        return DataLoader(load_fn=live_keys_by_account)

    @cached_property
    def account_by_id(self) -> DataLoader[int, Account | None]:
        # Loads the rows autopay_by_account would query again, and hands them over (primes).
        return DataLoader(load_fn=self._accounts_priming_autopay)

    @cached_property
    def payment_page(self) -> DataLoader[PageKey, Page[Payment]]:
        return DataLoader(load_fn=batches.payment_pages)

    def prime_account(self, account: Account) -> None:
        """An account row read with its autopay enrolment (select_related) by someone else."""
        self.account_by_id.prime(account.id, account)
        self._prime_autopay(account)

    def _prime_autopay(self, account: Account) -> None:
        self.autopay_by_account.prime(account.id, account.autopay)  # type: ignore[attr-defined]

    def close(self) -> None:
        """Drop every loader made and what it cached, when the request is answered. Two loaders hold a
        bound method of this object and every cached future holds its rows: without this, a request
        leaves hundreds of objects in cycles for the garbage collector to find."""
        for loader in [value for value in vars(self).values() if isinstance(value, DataLoader)]:
            loader.clear_all()
        vars(self).clear()

    async def _accounts_priming_autopay(self, ids: Sequence[int]) -> list[Account | None]:
        accounts = await batches.accounts_by_id(ids)
        for account in accounts:
            if account is not None:
                self._prime_autopay(account)
        return accounts
