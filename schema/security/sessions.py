"""The device a sign-in comes from, and the cookies that carry a session."""

from __future__ import annotations

import secrets

from models.security.devices import MAX_DEVICE_ID
from models.security.tokens import csrf_token_for
from schema.context import Context

SESSION_COOKIE = "session"
# Readable by the portal's script, which echoes it in the CSRF header (gateway/auth.py).
CSRF_COOKIE = "csrf"
DEVICE_COOKIE = "device"
DEVICE_COOKIE_SECONDS = 400 * 24 * 3600


def device_of(context: Context, given_device_id: str | None) -> str:
    """The client's `deviceId` (as given: the sign-in refuses an empty or too long one), else the
    browser's device cookie, else a new id kept in that cookie."""
    if given_device_id is not None:
        return given_device_id
    cookie = context.request.cookies.get(DEVICE_COOKIE, "")
    if 0 < len(cookie) <= MAX_DEVICE_ID:
        return cookie
    device_id = secrets.token_urlsafe(24)
    context.response.set_cookie(
        DEVICE_COOKIE,
        device_id,
        max_age=DEVICE_COOKIE_SECONDS,
        httponly=True,
        secure=context.settings.https,
        samesite="lax",
    )
    return device_id


def set_session_cookies(context: Context, token: str) -> None:
    settings = context.settings
    # Secure whenever the portal is https, and always in production (which requires an https PUBLIC_URL).
    secure = settings.https
    context.response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_max_seconds,
        httponly=True,
        secure=secure,
        samesite="lax",
    )
    context.response.set_cookie(
        CSRF_COOKIE,
        csrf_token_for(settings.secret_key, token),
        max_age=settings.session_max_seconds,
        httponly=False,
        secure=secure,
        samesite="lax",
    )


def clear_session_cookies(context: Context) -> None:
    secure = context.settings.https
    context.response.delete_cookie(SESSION_COOKIE, secure=secure, httponly=True, samesite="lax")
    context.response.delete_cookie(CSRF_COOKIE, secure=secure, httponly=False, samesite="lax")
