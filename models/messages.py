"""The texts of the e-mails and SMS the system sends. Links and codes follow the contract:
links are {PUBLIC_URL}/<page>?token=<token>, codes are six digits alone on their own line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


def activation(public_url: str, display_name: str, account_name: str, token: str, *, invited: bool) -> Text:
    link = f"{public_url}/activate?token={token}"
    opening = (
        f"You have been invited to the {account_name} account."
        if invited
        else f"Welcome! Your account {account_name} is ready to activate."
    )
    return Text(
        subject="Activate your account" if not invited else f"You're invited to {account_name}",
        body=(
            f"Hello {display_name},\n\n{opening}\n\n"
            f"Choose your username and password here (the link works for 72 hours):\n{link}\n\n"
            "If you did not expect this message, you can ignore it.\n"
        ),
    )


def one_time_code(display_name: str, purpose: str, code: str, minutes: int) -> Text:
    return Text(
        subject=f"Your code to {purpose}",
        body=(
            f"Hello {display_name},\n\nYour code to {purpose} is:\n{code}\n\n"
            f"It works once, for {minutes} minutes. Never share it: we will never ask you for it.\n"
        ),
    )


def sms_code(purpose: str, code: str) -> str:
    return f"Your code to {purpose}:\n{code}\nNever share it."


def notice(display_name: str, subject: str, sentence: str) -> Text:
    return Text(
        subject=subject,
        body=(
            f"Hello {display_name},\n\n{sentence}\n\n"
            "If this was not you, reset your password and contact us at once.\n"
        ),
    )


def lockout(public_url: str, display_name: str, token: str, until_text: str) -> Text:
    link = f"{public_url}/unlock?token={token}"
    return Text(
        subject="Sign-in to your account is locked",
        body=(
            f"Hello {display_name},\n\n"
            f"After several wrong passwords, signing in is locked until {until_text}.\n\n"
            f"If it was you, unlock it now with this link (it works once):\n{link}\n\n"
            "If it was not you, someone may be guessing your password: keep the lock, "
            "and choose a new password once you are back in.\n"
        ),
    )
