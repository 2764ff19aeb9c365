"""The texts of the e-mails and SMS the system sends. Links and codes follow the contract:
links are {PUBLIC_URL}/<page>?token=<token>, codes are six digits alone on their own line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


def the_account(account_name: str, *, capital: bool = False) -> str:
    """ "the Smith Household account"; a name that brings its own article keeps it ("The Demo Household
    account", never "the The Demo Household account")."""
    if account_name.casefold().startswith("the "):
        return f"{account_name} account"
    return f"{'The' if capital else 'the'} {account_name} account"


def activation(
    public_url: str,
    display_name: str,
    account_name: str,
    token: str,
    *,
    invited: bool,
    invited_by: str | None = None,
) -> Text:
    link = f"{public_url}/activate?token={token}"
    if not invited:
        opening = f"Welcome! Your account {account_name} is ready to activate."
        subject = "Activate your account"
    elif invited_by:
        opening = f"{invited_by} has invited you to {the_account(account_name)}."
        subject = f"{invited_by} invited you to {account_name}"
    else:
        opening = f"You have been invited to {the_account(account_name)}."
        subject = f"You're invited to {account_name}"
    return Text(
        subject=subject,
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


def new_sign_in(public_url: str, display_name: str, device: str, place: str, when: str, token: str) -> Text:
    link = f"{public_url}/secure-account?token={token}"
    return Text(
        subject="New sign-in to your account",
        body=(
            f"Hello {display_name},\n\n"
            f"Your account was just signed in to from a device we had not seen before:\n\n"
            f"  Device: {device}\n  IP address: {place}\n  Time: {when}\n\n"
            "If this was you, there is nothing to do.\n\n"
            f"If it was not you, secure your account now: this ends every session and blocks signing in "
            f"until you reset your password:\n{link}\n"
        ),
    )


def new_sign_in_sms(device: str, place: str, when: str) -> str:
    return f"New sign-in: {device} from {place}, {when}. Not you? See your e-mail to secure your account."


def password_reset(public_url: str, display_name: str, token: str) -> Text:
    link = f"{public_url}/reset-password?token={token}"
    return Text(
        subject="Reset your password",
        body=(
            f"Hello {display_name},\n\n"
            "Someone asked to reset the password of your account. If it was you, choose a new one "
            f"here (the link works once, for 1 hour; you will need your security answer):\n{link}\n\n"
            "If it was not you, ignore this message: your password stays as it is.\n"
        ),
    )
