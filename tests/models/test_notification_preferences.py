"""One notifier reads the preferences: channels per topic, SMS only to a confirmed phone, and quiet hours
for SMS that is not about security."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from tortoise.transactions import in_transaction

from models.access import Permission, Role
from models.members.models import Channel, Member
from models.notify.messages import Text
from models.notify.outbox import OutboxMessage, claim
from models.notify.quiet_hours import sms_not_before
from models.notify.send import member_drafts, notify_account
from tests.support import count_queries, make_account, make_member

CHICAGO = "America/Chicago"
TEXT = Text(subject="Your statement is ready", body="It is.")


@pytest.mark.parametrize(
    ("utc_time", "topic", "expected"),
    [
        (datetime(2026, 11, 23, 16, 0, tzinfo=UTC), "billing", None),  # 10:00 in Chicago
        (datetime(2026, 11, 23, 14, 59, tzinfo=UTC), "billing", datetime(2026, 11, 23, 15, 0, tzinfo=UTC)),
        (
            datetime(2026, 11, 24, 4, 0, tzinfo=UTC),
            "outages",
            datetime(2026, 11, 24, 15, 0, tzinfo=UTC),
        ),  # 22:00
        (datetime(2026, 11, 24, 2, 59, tzinfo=UTC), "billing", None),  # 20:59
        (datetime(2026, 11, 24, 4, 0, tzinfo=UTC), "security", None),  # security never waits
    ],
)
def test_sms_waits_for_the_accounts_daytime(
    utc_time: datetime, topic: str, expected: datetime | None
) -> None:
    assert sms_not_before(topic, CHICAGO, utc_time) == expected


async def test_billing_goes_to_who_may_see_it_by_their_channels() -> None:
    # given a primary with SMS for billing, a STANDARD member with VIEW_BILLING, and one without
    account = await make_account()
    primary = await make_member(account, "alice", role=Role.PRIMARY, phone="+13125550142")
    primary.notification_preferences = {**primary.notification_preferences, "billing": ["EMAIL", "SMS"]}
    await primary.save()
    await make_member(account, "bill", grants=(Permission.VIEW_BILLING,))
    await make_member(account, "nope")
    unconfirmed = await make_member(account, "uma", grants=(Permission.VIEW_BILLING,), phone="+13125550143")
    await Member.filter(id=unconfirmed.id).update(
        phone_confirmed=False, notification_preferences={"billing": ["SMS"], "security": ["EMAIL"]}
    )
    # when
    queued = await notify_account(account.id, "billing", Permission.VIEW_BILLING, TEXT, "STATEMENT_READY")
    # then
    rows = await OutboxMessage.filter(kind="STATEMENT_READY").order_by("recipient")
    assert queued == 3
    assert [(row.channel, row.recipient) for row in rows] == [
        ("SMS", "+13125550142"),
        ("EMAIL", "alice@example.com"),
        ("EMAIL", "bill@example.com"),
    ]


def night_zone(now: datetime) -> str:
    """A fixed-offset IANA zone where it is 23:00-ish now (Etc/GMT signs are inverted)."""
    offset = (23 - now.hour) % 24
    offset = offset - 24 if offset > 14 else offset
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


async def test_a_quiet_hours_sms_waits_and_security_does_not() -> None:
    # given an account where it is night now, and a member who wants outages and security by SMS
    now = datetime.now(UTC)
    account = await make_account()
    account.time_zone = night_zone(now)
    await account.save()
    member = await make_member(account, "alice", role=Role.PRIMARY, phone="+13125550142")
    member.notification_preferences = {
        **member.notification_preferences,
        "outages": ["SMS"],
        "security": ["SMS"],
    }
    await member.save()
    # when
    await notify_account(account.id, "outages", Permission.MANAGE_SERVICES, TEXT, "OUTAGE")
    await notify_account(account.id, "security", Permission.MANAGE_SERVICES, TEXT, "ALERT")
    # then the outage SMS waits for 09:00 there and no delivery claims it early; security goes at once
    outage = await OutboxMessage.get(kind="OUTAGE")
    assert outage.next_attempt_at.astimezone(ZoneInfo(account.time_zone)).hour == 9
    assert outage.next_attempt_at > now + timedelta(hours=8)
    assert await claim(outage.id) is None
    assert await claim(outage.id, now=outage.next_attempt_at) is not None
    alert = await OutboxMessage.get(kind="ALERT")
    assert await claim(alert.id) is not None


async def test_telling_a_household_reads_grants_and_time_zone_only_when_they_matter() -> None:
    # given a household of one primary who takes billing by e-mail
    account = await make_account()
    primary = await make_member(account, "alice", role=Role.PRIMARY, phone="+13125550142")
    # when / then: the members and the messages, two statements (a charge's receipt costs no more)
    with count_queries() as statements:
        assert await notify_account(account.id, "billing", Permission.VIEW_BILLING, TEXT, "RECEIPT") == 1
    assert len(statements) == 2, statements
    # given a STANDARD member, whose grants decide
    await make_member(account, "bill", grants=(Permission.VIEW_BILLING,))
    with count_queries() as statements:
        assert await notify_account(account.id, "billing", Permission.VIEW_BILLING, TEXT, "RECEIPT") == 2
    assert len(statements) == 3, statements
    # given the primary texted too: the account's time zone is read for the quiet hours (here inside the
    # transaction of the change that causes the message, as a settlement does)
    primary.notification_preferences = {**primary.notification_preferences, "billing": ["EMAIL", "SMS"]}
    await primary.save()
    with count_queries() as statements:
        async with in_transaction() as connection:
            queued = await notify_account(
                account.id, "billing", Permission.VIEW_BILLING, TEXT, "RECEIPT", using_db=connection
            )
    assert queued == 3
    assert len(statements) == 4, statements


def test_an_sms_draft_without_the_accounts_time_zone_is_refused() -> None:
    member = Member(
        id=1,
        account_id=1,
        email="alice@example.com",
        phone="+13125550142",
        phone_confirmed=True,
        notification_preferences={"billing": ["SMS"]},
    )
    with pytest.raises(ValueError, match="time zone"):
        member_drafts(member, "billing", TEXT, "RECEIPT", time_zone=None)
    # an e-mail needs no time zone
    drafts = member_drafts(member, "security", TEXT, "ALERT", time_zone=None)
    assert [(draft.channel, draft.recipient) for draft in drafts] == [(Channel.EMAIL, "alice@example.com")]
