"""Reporting an outage as a domain operation: a description that is empty, too long or holds control
characters, or a service not of the member's account, is refused with the field it concerns."""

from __future__ import annotations

import pytest

from models.access import Role
from models.members.contact import CONTROL_CHARACTERS_MESSAGE
from models.services.errors import OutageRefused, Refusal
from models.services.models import Service
from models.services.outages import MAX_DESCRIPTION, OutageReport, report_outage
from tests.support import make_account, make_member


async def internet(account_id: int) -> Service:
    return await Service.create(
        account_id=account_id, kind="INTERNET", plan="Gig", monthly_price=7999, allowance_bytes=None
    )


@pytest.mark.parametrize(
    ("description", "message"),
    [
        ("   ", f"Use 1 to {MAX_DESCRIPTION} characters."),
        ("x" * (MAX_DESCRIPTION + 1), f"Use 1 to {MAX_DESCRIPTION} characters."),
        ("down\nsince noon", CONTROL_CHARACTERS_MESSAGE),
    ],
)
async def test_a_bad_description_is_refused(description: str, message: str) -> None:
    # given a member and their account's service
    member = await make_member(await make_account(), "alice", role=Role.PRIMARY)
    service = await internet(member.account_id)
    # when they report it with the description
    with pytest.raises(OutageRefused) as refused:
        await report_outage(member, service.id, description)
    # then it is refused, and nothing is recorded
    assert (refused.value.reason, refused.value.message, refused.value.field) == (
        Refusal.INVALID_INPUT,
        message,
        "description",
    )
    assert await OutageReport.all().count() == 0


@pytest.mark.parametrize("other_account", [True, False])
async def test_a_service_not_of_the_account_is_refused_as_not_found(other_account: bool) -> None:
    # given a member, and a service of another account (or no service id at all)
    member = await make_member(await make_account(), "alice", role=Role.PRIMARY)
    service_id = (await internet((await make_account("The Joneses")).id)).id if other_account else None
    # when they report it
    with pytest.raises(OutageRefused) as refused:
        await report_outage(member, service_id, "No internet since noon")
    # then
    assert (refused.value.reason, refused.value.message, refused.value.field) == (
        Refusal.NOT_FOUND,
        "No such service on this account.",
        "serviceId",
    )
    assert await OutageReport.all().count() == 0


async def test_a_report_is_recorded_with_its_description_trimmed() -> None:
    # given a member and their account's service
    member = await make_member(await make_account(), "alice", role=Role.PRIMARY)
    service = await internet(member.account_id)
    # when they report it
    report = await report_outage(member, service.id, "  No internet since noon  ")
    # then
    assert (report.service_id, report.description) == (service.id, "No internet since noon")


@pytest.mark.parametrize(
    ("kind", "name"),
    [("INTERNET", "Internet"), ("TV", "TV"), ("PHONE", "Phone"), ("HOME_SECURITY", "Home security")],
)
def test_a_service_kind_reads_as_words(kind: str, name: str) -> None:
    # given / when / then: what the report's acknowledgement and the activity log say of the service
    assert Service(kind=kind, plan="Gig").kind_name == name
