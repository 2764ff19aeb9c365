"""What the operator does to bring in a household: create an account, and seed the demo one."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import activity, demo_household
from models.access import Permission, Role
from models.accounts.models import Account, new_account_number
from models.activity import ActivityKind
from models.members.contact import (
    MAX_ACCOUNT_NAME,
    MAX_DISPLAY_NAME,
    has_control_characters,
    is_time_zone,
    normal_email,
    normal_phone,
)
from models.members.models import Member, MemberStatus, PermissionGrant, fold_username
from models.membership import LinkPolicy, send_activation
from models.security import lockout
from models.security.passwords import Passwords, normalise_answer

NUMBER_TRIES = 5

DEMO_USERNAME = "demo"
DEMO_USERNAMES = (DEMO_USERNAME, "demo.manager", "demo.member")
DEMO_ROLES = (Role.PRIMARY, Role.MANAGER, Role.STANDARD)
DEMO_PASSWORD = "harbor lantern velvet 2718"
DEMO_ACCOUNT_NAME = "The Demo Household"
DEMO_ADDRESS = {
    "line1": "100 Main Street",
    "line2": "Apt 4B",
    "city": "Springfield",
    "region": "IL",
    "postalCode": "62701",
    "country": "US",
}


class OnboardingError(ValueError):
    """Bad operator input; the message is one line saying what to fix."""


@dataclass(frozen=True)
class NewAccount:
    name: str
    email: str
    phone: str | None
    time_zone: str
    display_name: str


@dataclass(frozen=True)
class DemoLogin:
    account: Account
    username: str
    password: str


def checked_account(
    name: str, email: str, phone: str | None, time_zone: str, display_name: str | None
) -> NewAccount:
    """The operator's input in normal form, or OnboardingError naming the first bad value."""
    name = name.strip()
    if not 1 <= len(name) <= MAX_ACCOUNT_NAME:
        raise OnboardingError(f"--name must be 1 to {MAX_ACCOUNT_NAME} characters")
    if has_control_characters(name):
        raise OnboardingError("--name must not hold line breaks, tabs or other control characters")
    address = normal_email(email)
    if address is None:
        raise OnboardingError(f"--email {email!r} is not an e-mail address")
    number = None
    if phone is not None and phone.strip():
        number = normal_phone(phone)
        if number is None:
            raise OnboardingError(f"--phone {phone!r} is not a valid phone number")
    if not is_time_zone(time_zone):
        raise OnboardingError(f"--time-zone {time_zone!r} is not an IANA time zone such as America/New_York")
    shown = (display_name or "").strip() or address.partition("@")[0]
    if len(shown) > MAX_DISPLAY_NAME:
        raise OnboardingError(f"--display-name must be at most {MAX_DISPLAY_NAME} characters")
    if has_control_characters(shown):
        raise OnboardingError("--display-name must not hold line breaks, tabs or other control characters")
    return NewAccount(name=name, email=address, phone=number, time_zone=time_zone, display_name=shown)


async def create_account(
    *,
    name: str,
    email: str,
    phone: str | None = None,
    time_zone: str = "America/New_York",
    display_name: str | None = None,
    public_url: str,
    activation_seconds: int,
) -> tuple[Account, Member]:
    """The account and its invited primary member, with the welcome e-mail in the outbox, in one commit."""
    new = checked_account(name, email, phone, time_zone, display_name)
    for attempt in range(NUMBER_TRIES):
        try:
            return await _create(new, public_url, activation_seconds)
        except IntegrityError:
            # Only the random account number is unique here; a clash is rare, so draw again.
            if attempt == NUMBER_TRIES - 1:
                raise
    raise AssertionError("unreachable")


async def _create(new: NewAccount, public_url: str, activation_seconds: int) -> tuple[Account, Member]:
    async with in_transaction() as connection:
        account = await Account.create(
            number=new_account_number(),
            name=new.name,
            time_zone=new.time_zone,
            contact_email=new.email,
            using_db=connection,
        )
        member = await Member.create(
            account_id=account.id,
            role=Role.PRIMARY,
            status=MemberStatus.INVITED,
            display_name=new.display_name,
            email=new.email,
            phone=new.phone,
            # The operator took the number from the customer: it counts as confirmed (DESIGN).
            phone_confirmed=new.phone is not None,
            using_db=connection,
        )
        links = LinkPolicy(public_url=public_url, activation_seconds=activation_seconds)
        await send_activation(member, account.name, links, invited=False, using_db=connection)
        await activity.record(
            account.id,
            ActivityKind.ACCOUNT_CREATED,
            f"Account {account.number} created for {new.email}",
            using_db=connection,
        )
    return account, member


async def seed_demo(passwords: Passwords) -> DemoLogin:
    """A demo household with an active primary `demo`, a manager and a standard member.

    Its household has a year of services, statements, payments and activity (models/demo_household).
    Idempotent: when `demo` exists its account is reused and its password put back to the printed one;
    the year is written once (also into a demo account seeded before there was one).
    """
    password_hash = await passwords.hash(DEMO_PASSWORD)
    existing = (
        await Member.filter(username_folded=fold_username(DEMO_USERNAME)).select_related("account").first()
    )
    if existing is not None:
        await Member.filter(id=existing.id).update(
            username=DEMO_USERNAME, password_hash=password_hash, status=MemberStatus.ACTIVE
        )
        await lockout.end_lock(existing)
        await _seed_year(existing.account)
        return DemoLogin(account=existing.account, username=DEMO_USERNAME, password=DEMO_PASSWORD)
    answer_hash = await passwords.hash(normalise_answer("Springfield"))
    async with in_transaction() as connection:
        account = await Account.create(
            number=new_account_number(),
            name=DEMO_ACCOUNT_NAME,
            service_address=DEMO_ADDRESS,
            time_zone="America/Chicago",
            contact_email="demo@example.com",
            using_db=connection,
        )
        people = zip(DEMO_USERNAMES, ("Dana Demo", "Morgan Demo", "Sam Demo"), DEMO_ROLES, strict=True)
        for username, display_name, role in people:
            member = await Member.create(
                account_id=account.id,
                role=role,
                status=MemberStatus.ACTIVE,
                username=username,
                username_folded=fold_username(username),
                display_name=display_name,
                email=f"{username}@example.com",
                password_hash=password_hash,
                security_question="In which city were you born?",
                security_answer_hash=answer_hash,
                using_db=connection,
            )
            if role is Role.STANDARD:
                await PermissionGrant.create(
                    member_id=member.id, permission=Permission.VIEW_BILLING, using_db=connection
                )
        await activity.record(
            account.id, ActivityKind.ACCOUNT_CREATED, "Demo account seeded", using_db=connection
        )
    await _seed_year(account)
    return DemoLogin(account=account, username=DEMO_USERNAME, password=DEMO_PASSWORD)


async def _seed_year(account: Account) -> None:
    members = {
        str(member.username): member
        for member in await Member.filter(account_id=account.id, username__in=DEMO_USERNAMES)
    }
    if len(members) == len(DEMO_USERNAMES):  # (an operator may have removed one: then no year)
        await demo_household.seed_year(account, members)
