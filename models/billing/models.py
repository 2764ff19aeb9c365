"""Statements, payments, payment methods and autopay. Money is integer cents everywhere."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts.models import Account
    from models.members.models import Member

CURRENCY = "USD"


class StatementStatus(StrEnum):
    OPEN = "OPEN"
    PAID = "PAID"
    OVERDUE = "OVERDUE"  # shown, never stored: an OPEN statement past its due date


class PaymentStatus(StrEnum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class PaymentSource(StrEnum):
    MANUAL = "MANUAL"
    AUTOPAY = "AUTOPAY"


class PaymentMethodKind(StrEnum):
    CARD = "CARD"
    BANK_ACCOUNT = "BANK_ACCOUNT"


class Statement(Model):
    id = fields.BigIntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "gateway.Account", related_name="statements", on_delete=fields.CASCADE, db_index=True
    )
    account_id: int
    period_start = fields.DateField()
    period_end = fields.DateField()
    issued_at = fields.DatetimeField()
    due_date = fields.DateField(db_index=True)
    amount_due = fields.IntField()  # the sum of its line items
    amount_paid = fields.IntField(default=0)
    status = fields.CharEnumField(StatementStatus, max_length=8, default=StatementStatus.OPEN)
    # Unique per account, so one request issues one statement (models/billing/statements.py makes the keys):
    # "period:<period start>" for the period's regular statement, "key:<operator's key>" or
    # "charge:<hash of period, amount and text>" for a one-off charge.
    issue_key = fields.CharField(max_length=120)

    class Meta:
        table = "statement"
        unique_together = (("account", "issue_key"),)
        indexes = (("status", "due_date"),)


class LineItem(Model):
    id = fields.BigIntField(primary_key=True)
    statement: fields.ForeignKeyRelation[Statement] = fields.ForeignKeyField(
        "gateway.Statement", related_name="line_items", on_delete=fields.CASCADE, db_index=True
    )
    statement_id: int
    description = fields.CharField(max_length=200)
    amount = fields.IntField()

    class Meta:
        table = "line_item"


class PaymentMethod(Model):
    """A token from the payment processor for a card or bank account, never a card number."""

    id = fields.BigIntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "gateway.Account", related_name="payment_methods", on_delete=fields.CASCADE, db_index=True
    )
    account_id: int
    kind = fields.CharEnumField(PaymentMethodKind, max_length=16)
    brand = fields.CharField(max_length=40, null=True)
    last4 = fields.CharField(max_length=4)
    exp_month = fields.SmallIntField(null=True)
    exp_year = fields.SmallIntField(null=True)
    processor_token = fields.CharField(max_length=100)
    is_default = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    removed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "payment_method"


class Payment(Model):
    id = fields.BigIntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "gateway.Account", related_name="payments", on_delete=fields.CASCADE, db_index=True
    )
    account_id: int
    amount = fields.IntField()
    status = fields.CharEnumField(PaymentStatus, max_length=10, default=PaymentStatus.PENDING)
    source = fields.CharEnumField(PaymentSource, max_length=8)
    failure_reason = fields.CharField(max_length=100, null=True)
    # Unique per account: the same key is the same payment, never a second charge.
    idempotency_key = fields.CharField(max_length=100)
    # What the key was first used for, to refuse the same key for a different request.
    request_fingerprint = fields.CharField(max_length=200)
    # The processor's id of the charge (Stripe's PaymentIntent), recorded before it is confirmed.
    processor_reference = fields.CharField(max_length=100, null=True)
    # Where the member completes the charge (3-D Secure) while it waits for them; cleared when settled.
    next_action = fields.CharField(max_length=500, null=True)
    payment_method: fields.ForeignKeyNullableRelation[PaymentMethod] = fields.ForeignKeyField(
        "gateway.PaymentMethod", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )
    payment_method_id: int | None
    statement: fields.ForeignKeyNullableRelation[Statement] = fields.ForeignKeyField(
        "gateway.Statement", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )
    statement_id: int | None
    # The member who paid (payBill); None for autopay and for a partner app's key.
    paid_by: fields.ForeignKeyNullableRelation[Member] = fields.ForeignKeyField(
        "gateway.Member", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )
    paid_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    settled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "payment"
        unique_together = (("account", "idempotency_key"),)
        indexes = (("status", "created_at"),)


class AutopayEnrollment(Model):
    id = fields.BigIntField(primary_key=True)
    account: fields.OneToOneRelation[Account] = fields.OneToOneField(
        "gateway.Account", related_name="autopay", on_delete=fields.CASCADE
    )
    account_id: int
    payment_method: fields.ForeignKeyRelation[PaymentMethod] = fields.ForeignKeyField(
        "gateway.PaymentMethod", related_name=False, on_delete=fields.CASCADE, db_index=True
    )
    payment_method_id: int
    days_before_due = fields.SmallIntField(default=0)
    max_amount = fields.IntField(null=True)  # cents; null: no ceiling
    enabled = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "autopay_enrollment"


class BillingNotice(Model):
    """A notification about a statement that must go out once (reminder, ceiling skip, final failure)."""

    id = fields.BigIntField(primary_key=True)
    statement: fields.ForeignKeyRelation[Statement] = fields.ForeignKeyField(
        "gateway.Statement", related_name=False, on_delete=fields.CASCADE, db_index=True
    )
    statement_id: int
    kind = fields.CharField(max_length=40)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "billing_notice"
        unique_together = (("statement", "kind"),)


class AutopayClaim(Model):
    """An autopay run's lease on one statement's attempt of a day (models/billing/autopay_lease.py): the
    live run that holds it renews `lease_until`; once that passes, any run may take the statement over."""

    id = fields.BigIntField(primary_key=True)
    statement: fields.ForeignKeyRelation[Statement] = fields.ForeignKeyField(
        "gateway.Statement", related_name=False, on_delete=fields.CASCADE, db_index=True
    )
    statement_id: int
    day = fields.DateField()
    holder = fields.CharField(max_length=40)  # the run's id
    lease_until = fields.DatetimeField()

    class Meta:
        table = "autopay_claim"
        unique_together = (("statement", "day"),)


class AutopayRun(Model):
    """One autopay run of a day: live while it renews its lease, finished once it went through the day."""

    # models/billing/autopay_lease.py: `finished_at` is set by a run that left nothing to another run.

    id = fields.BigIntField(primary_key=True)
    day = fields.DateField(db_index=True)
    holder = fields.CharField(max_length=40, unique=True)  # the run's id, as on its claims
    lease_until = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "autopay_run"


class PaymentMethodNotice(Model):
    """A notification about a saved payment method that must go out once (its card expires soon)."""

    id = fields.BigIntField(primary_key=True)
    payment_method: fields.ForeignKeyRelation[PaymentMethod] = fields.ForeignKeyField(
        "gateway.PaymentMethod", related_name=False, on_delete=fields.CASCADE, db_index=True
    )
    payment_method_id: int
    kind = fields.CharField(max_length=40)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "payment_method_notice"
        unique_together = (("payment_method", "kind"),)


def format_money(cents: int, currency: str = CURRENCY) -> str:
    """ "$79.99", "-$5.00"."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}${whole:,}.{part:02d}"
