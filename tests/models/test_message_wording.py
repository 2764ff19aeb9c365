"""The wording of e-mails that name the account: one article, never "the The ..."; who sent an invitation."""

from __future__ import annotations

import pytest

from models.notify import messages

PORTAL = "https://portal.example"


@pytest.mark.parametrize(
    ("name", "inline", "capital"),
    [
        ("The Demo Household", "The Demo Household account", "The Demo Household account"),
        ("the Smiths", "the Smiths account", "the Smiths account"),
        ("Smith Household", "the Smith Household account", "The Smith Household account"),
        ("Theodore Family", "the Theodore Family account", "The Theodore Family account"),
    ],
)
def test_the_account_adds_an_article_only_when_the_name_has_none(
    name: str, inline: str, capital: str
) -> None:
    # when / then
    assert messages.the_account(name) == inline
    assert messages.the_account(name, capital=True) == capital


def test_an_invitation_names_the_inviter_and_the_account_once() -> None:
    # when
    text = messages.activation(
        PORTAL, "Carol", "The Demo Household", "tok", invited=True, invited_by="Alex Rivera"
    )
    # then
    assert text.subject == "Alex Rivera invited you to The Demo Household"
    assert text.body.startswith(
        "Hello Carol,\n\nAlex Rivera has invited you to The Demo Household account.\n\n"
    )
    assert "the The" not in text.body
    assert f"{PORTAL}/activate?token=tok" in text.body


def test_an_invitation_without_an_inviter_still_reads_right() -> None:
    # when
    text = messages.activation(PORTAL, "Carol", "Smith Household", "tok", invited=True)
    # then
    assert text.subject == "You're invited to Smith Household"
    assert "You have been invited to the Smith Household account.\n" in text.body
