"""The password policy: a new password may not contain the member's name, username or e-mail local part."""

from __future__ import annotations

import pytest

from models.members.models import Member
from models.security.passwords import CONTAINS_IDENTITY, Identity, password_problem

DANA = Identity(name="Dana Whitfield", username="dana.w", email="quokka.fan@example.com")
GOOD = "violet tractor mountain sonnet 7"


@pytest.mark.parametrize(
    "password",
    [
        "whitfield orchard comet 42",  # a word of the name
        "Dana Whitfield lantern 2718",  # the whole name
        "velvet DANA.W harbor 9931",  # the username, another case
        "xX dana.w Xx quartz meadow",  # the username inside other characters
        "quokka.fan thistle 5150 drift",  # the e-mail local part
        "harbor QUOKKA lantern 4096",  # a word of the e-mail local part
    ],
)
def test_a_password_with_the_members_identity_is_refused(password: str) -> None:
    # when / then
    assert password_problem(password, DANA) == CONTAINS_IDENTITY


def test_short_parts_are_ignored() -> None:
    # given a name, username and local part whose parts are all shorter than 3 characters
    short = Identity(name="Al Li", username="al.li", email="al@example.com")
    # when / then: passwords that hold them are still judged on strength alone
    assert password_problem("always lively orchard comet 42", short) is None
    assert password_problem("al copper meadow falcon 7731", short) is None


def test_the_whole_value_counts_even_when_its_parts_are_short() -> None:
    short = Identity(name="Al Li", username="al.li", email="al@example.com")
    assert password_problem("copper al.li meadow 7731", short) == CONTAINS_IDENTITY


def test_the_e_mail_domain_is_not_refused() -> None:
    # the domain is not the member's own: only the local part is refused
    assert password_problem("example orchard comet 4242 velvet", DANA) is None


def test_a_good_password_is_still_accepted() -> None:
    assert password_problem(GOOD, DANA) is None


def test_an_activation_checks_the_username_being_chosen() -> None:
    # given an invited member, who has no username yet
    invited = Member(display_name="Dana Whitfield", email="dana@example.com")
    # when / then
    identity = Identity.of(invited, "wombat77")
    assert identity.username == "wombat77"
    assert password_problem("orchard wombat77 comet 42", identity) == CONTAINS_IDENTITY


def test_length_is_judged_before_identity() -> None:
    assert password_problem("dana", DANA) == "Use at least 12 characters."
