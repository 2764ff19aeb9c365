"""Every domain's refusal codes are UserError codes: schema.errors.refusal_error maps any of them."""

from __future__ import annotations

from enum import StrEnum

import pytest

from models.billing.errors import Refusal as BillingRefusal
from models.members.errors import Refusal as MembershipRefusal
from models.partners.errors import Refusal as ApiKeyRefusal
from models.security.attempts import Guarded
from models.security.errors import Refusal as SecurityRefusal
from models.services.errors import Refusal as AppointmentRefusal
from schema.errors import ErrorCode, RequestErrorCode

DOMAIN_REFUSALS: list[type[StrEnum]] = [
    MembershipRefusal,
    ApiKeyRefusal,
    SecurityRefusal,
    AppointmentRefusal,
    BillingRefusal,
]


@pytest.mark.parametrize("refusal", DOMAIN_REFUSALS, ids=lambda enum: enum.__module__)
def test_each_refusal_code_is_a_user_error_code(refusal: type[StrEnum]) -> None:
    # then
    assert {reason.value for reason in refusal} <= {code.value for code in ErrorCode}


def test_the_guards_refusals_are_a_user_error_code_and_a_request_error_code() -> None:
    # then
    assert ErrorCode(Guarded.ACCOUNT_LOCKED.value) is ErrorCode.ACCOUNT_LOCKED
    assert RequestErrorCode(Guarded.RATE_LIMITED.value) is RequestErrorCode.RATE_LIMITED
