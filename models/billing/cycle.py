"""The daily statement run: issue the statements of the accounts whose billing day is today."""

from __future__ import annotations

from datetime import date

from models.accounts.models import Account
from models.billing.models import Statement
from models.billing.statements import NothingToBill, issue_statement, regular_key


async def issue_due_statements(today: date, *, batch_size: int = 500) -> int:
    """Issue this period's statement (period starting today) of every account billed on today's day of
    the month, from its services; accounts with nothing to bill are skipped. Idempotent: a statement
    already issued for the period is left alone. Returns how many statements this run issued."""
    issued = 0
    after = 0
    while (
        accounts := await Account.filter(billing_day=today.day, id__gt=after).order_by("id").limit(batch_size)
    ):
        after = accounts[-1].id
        # The period's regular statement, by its key: a one-off charge issued today is no bill of the period.
        done = set(
            await Statement.filter(
                account_id__in=[account.id for account in accounts], issue_key=regular_key(today)
            ).values_list("account_id", flat=True)
        )
        for account in accounts:
            if account.id in done:
                continue
            try:
                await issue_statement(account, period_start=today)
            except NothingToBill:
                continue
            issued += 1
    return issued
