"""The payment processor interface, and the sandbox processor of DESIGN.md (the development default).

The sandbox keeps its ledger of charges in the database, so that a charge survives a crashed worker
as a real processor's would: asking again with the same idempotency key returns the first answer."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.models import Model

from models.billing.models import PaymentMethodKind
from models.db.clock import utcnow


@dataclass(frozen=True)
class TokenDetails:
    kind: PaymentMethodKind
    brand: str | None
    last4: str
    exp_month: int | None
    exp_year: int | None


@dataclass(frozen=True)
class ChargeResult:
    succeeded: bool
    reference: str | None
    failure_reason: str | None
    # Set when the member must act first (3-D Secure): the charge is neither taken nor refused yet, and
    # this link is where they act; a later answer (webhook or reconcile) settles it.
    next_action: str | None = None


# Called with the processor's reference of a charge before it is confirmed, so that a crash after that
# leaves a PENDING payment the processor can be asked about by reference.
RecordReference = Callable[[str], Awaitable[None]]


# The failure reason of a charge the member never authenticated, cancelled by models/billing/reconcile.py.
AUTHENTICATION_ABANDONED = "authentication_abandoned"


class ProcessorUnavailable(Exception):
    """A time-out or an error on the way: whether the money was taken is unknown."""


class ProcessorCrash(BaseException):
    """Test switch: the process died right after the processor took the money (not an Exception,
    so that no handler of ours catches it, as none would run in a dead process)."""


class PaymentProcessor(Protocol):
    async def attach(self, account_id: int, token: str) -> TokenDetails | None:
        """Keep the token for the account; what it stands for, or None for a token the processor does
        not know. Raises ProcessorUnavailable when the processor cannot be asked."""
        ...

    async def charge(
        self,
        amount: int,
        token: str,
        idempotency_key: str,
        *,
        account_id: int | None = None,
        reference: str | None = None,
        record_reference: RecordReference | None = None,
        off_session: bool = False,
    ) -> ChargeResult:
        """Charge `amount` cents; the same key returns the first result and never charges twice.
        `reference` (a charge recorded before a crash) asks about that charge instead of starting one;
        `off_session`: the member is not there to authenticate (autopay)."""
        ...

    async def cancel(self, reference: str) -> ChargeResult:
        """Cancel the charge `reference` that waits for the member: refused with AUTHENTICATION_ABANDONED,
        or the charge's own answer if it came first. Raises ProcessorUnavailable when that is unknown."""
        ...


class SandboxCharge(Model):
    """One charge the sandbox processor took (or refused), by idempotency key."""

    id = fields.BigIntField(primary_key=True)
    idempotency_key = fields.CharField(max_length=140, unique=True)
    amount = fields.IntField()
    token = fields.CharField(max_length=100)
    succeeded = fields.BooleanField()
    failure_reason = fields.CharField(max_length=100, null=True)
    reference = fields.CharField(max_length=40, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "sandbox_charge"


# token -> (what it is, None when a charge succeeds or the processor's failure reason)
SANDBOX_TOKENS: dict[str, tuple[TokenDetails, str | None]] = {
    "tok_visa": (TokenDetails(PaymentMethodKind.CARD, "visa", "4242", 12, 2034), None),
    "tok_mastercard": (TokenDetails(PaymentMethodKind.CARD, "mastercard", "4444", 12, 2034), None),
    "tok_chargeDeclined": (TokenDetails(PaymentMethodKind.CARD, "visa", "0002", 12, 2034), "card_declined"),
    "tok_insufficientFunds": (
        TokenDetails(PaymentMethodKind.CARD, "visa", "9995", 12, 2034),
        "insufficient_funds",
    ),
    "btok_checking": (TokenDetails(PaymentMethodKind.BANK_ACCOUNT, "Sandbox Bank", "6789", None, None), None),
}

Fault = Literal["none", "timeout", "crash_after_charge"]


class SandboxProcessor:
    """The sandbox of DESIGN.md. It answers `latency_seconds` after taking the money, as a real processor
    answers a few hundred milliseconds after the request (a process killed meanwhile leaves the money
    taken and the payment PENDING). `fault` is a test switch: "timeout" records the charge and then
    raises ProcessorUnavailable (the money was taken, the answer lost); "crash_after_charge" records it
    and raises ProcessorCrash."""

    def __init__(self, fault: Fault = "none", latency_seconds: float = 0.0) -> None:
        self.fault = fault
        self.latency_seconds = latency_seconds

    def describe(self, token: str) -> TokenDetails | None:
        known = SANDBOX_TOKENS.get(token)
        return known[0] if known else None

    async def attach(self, account_id: int, token: str) -> TokenDetails | None:
        return self.describe(token)

    async def charge(
        self,
        amount: int,
        token: str,
        idempotency_key: str,
        *,
        account_id: int | None = None,
        reference: str | None = None,
        record_reference: RecordReference | None = None,
        off_session: bool = False,
    ) -> ChargeResult:
        known = SANDBOX_TOKENS.get(token)
        failure_reason = known[1] if known else "invalid_token"
        try:
            row = await SandboxCharge.create(
                idempotency_key=idempotency_key,
                amount=amount,
                token=token,
                succeeded=failure_reason is None,
                failure_reason=failure_reason,
                reference=f"sb_{secrets.token_hex(10)}",
                created_at=utcnow(),
            )
        except IntegrityError:
            # The key was charged before (or is being charged now): the first charge's answer.
            row = await SandboxCharge.get(idempotency_key=idempotency_key)
        if self.fault == "timeout":
            raise ProcessorUnavailable("the sandbox processor timed out")
        if self.fault == "crash_after_charge":
            raise ProcessorCrash("the process died after the charge")
        if self.latency_seconds:
            await asyncio.sleep(self.latency_seconds)
        return ChargeResult(
            succeeded=row.succeeded,
            reference=row.reference if row.succeeded else None,
            failure_reason=row.failure_reason,
        )

    async def cancel(self, reference: str) -> ChargeResult:
        # The sandbox answers every charge at once: none of its charges waits for the member.
        return ChargeResult(succeeded=False, reference=reference, failure_reason=AUTHENTICATION_ABANDONED)


_default = SandboxProcessor()


def default_processor() -> PaymentProcessor:
    """The sandbox, for callers (tests) that name no processor; the app and workers use `processor_named`."""
    return _default


def processor_named(name: str, fault: Fault = "none", latency_ms: int = 0) -> PaymentProcessor | None:
    """The processor PAYMENT_PROCESSOR names (the sandbox, with the test-only `fault` and `latency_ms`),
    or None for "none": then nothing may be charged and every payment answers PAYMENTS_UNAVAILABLE."""
    if name == "none":
        return None
    if name != "sandbox":
        raise ValueError(f"unknown payment processor {name!r}")
    if fault == "none" and not latency_ms:
        return _default
    return SandboxProcessor(fault=fault, latency_seconds=latency_ms / 1000)
