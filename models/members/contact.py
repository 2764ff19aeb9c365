"""Contact details, names and time zones: their normal forms and limits, one rule each for CLI and API."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from zoneinfo import available_timezones

import phonenumbers

MAX_EMAIL = 254
MAX_DISPLAY_NAME = 100
MAX_ACCOUNT_NAME = 200
# Refused in every free-text value a person or an operator gives (names, address lines, questions,
# reasons, descriptions, key names): C0 and C1 controls (Cc: CR and LF reach e-mail headers and log
# lines, and tab too), the line and paragraph separators (Zl, Zp), lone surrogates (Cs: no encoding
# holds them) and the bidirectional embeddings, overrides and isolates that make text read otherwise
# than it is stored. Other format characters stay: ZWJ builds emoji, ZWNJ spells Persian names.
_REFUSED_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Cs"})
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
CONTROL_CHARACTERS_MESSAGE = "Remove line breaks, tabs and other control characters."


def has_control_characters(text: str) -> bool:
    """Whether free text holds a character no name, line or description may hold (see above)."""
    return any(_refused(character) for character in text)


def _refused(character: str) -> bool:
    return unicodedata.category(character) in _REFUSED_CATEGORIES or character in _BIDI_CONTROLS


def one_line(text: str, limit: int | None = None) -> str:
    """`text` as one line for a header or a log: each refused character a space, each run of spaces one,
    and at most `limit` characters (cut with "…"). For text already stored, which no check refused."""
    line = " ".join("".join(" " if _refused(character) else character for character in text).split())
    if limit is not None and len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line


_EMAIL = re.compile(
    r"[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)


def normal_email(address: str) -> str | None:
    """The address trimmed, with its domain lower-cased; None when it is not an e-mail address."""
    address = address.strip()
    if len(address) > MAX_EMAIL or not _EMAIL.fullmatch(address) or has_control_characters(address):
        return None
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def normal_phone(number: str, default_region: str = "US") -> str | None:
    """The number in E.164 (+15551234567); None when it is not a valid phone number."""
    if len(number) > 32:
        return None
    try:
        parsed = phonenumbers.parse(number, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_time_zone(name: str) -> bool:
    """An IANA time zone name such as America/Chicago (the one rule for the CLI and the API)."""
    return name in _time_zones()
