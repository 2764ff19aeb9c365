"""Password and security-answer hashing (argon2id, off the event loop) and the password policy."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import threading
import unicodedata
import weakref
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from models.members.contact import has_control_characters

if TYPE_CHECKING:
    from models.members.models import Member

HASHING_NICENESS = 10
MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 3
MIN_IDENTITY_PART = 3
CONTAINS_IDENTITY = "Your password must not contain your name, username or e-mail address."
_SEPARATORS = re.compile(r"[\W_]+")


@lru_cache(maxsize=4)
def hasher(memory_kib: int = 19456, time_cost: int = 2, parallelism: int = 1) -> PasswordHasher:
    """RFC 9106 / OWASP parameters by default: m=19 MiB, t=2, p=1."""
    return PasswordHasher(memory_cost=memory_kib, time_cost=time_cost, parallelism=parallelism)


def hashing_threads() -> int:
    """One per core: more would only compete with the event loop's thread for the same cores."""
    return os.cpu_count() or 2


def checks_in_flight() -> int:
    """Two per hashing thread: one hashing, one doing its queries, so the threads never wait for work."""
    return 2 * hashing_threads()


@lru_cache(maxsize=1)
def hashing_pool() -> ThreadPoolExecutor:
    """hashing_threads() threads at a lower priority than the event loop."""
    return ThreadPoolExecutor(
        max_workers=hashing_threads(), thread_name_prefix="argon2", initializer=_yield_to_the_event_loop
    )


def _yield_to_the_event_loop() -> None:
    """Hashing threads run at a lower priority (nice 10): during a burst of sign-ins the kernel gives
    the event loop's thread the CPU first, so other requests stay quick; idle CPU still goes to hashing."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)


class Passwords:
    """Hash and verify in the hashing threads so a sign-in never stalls other requests."""

    def __init__(self, memory_kib: int = 19456, time_cost: int = 2, parallelism: int = 1) -> None:
        self._hasher = hasher(memory_kib, time_cost, parallelism)
        self._dummy_hash = self._hasher.hash("dummy password for unknown usernames")
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    @contextlib.asynccontextmanager
    async def admitted(self) -> AsyncIterator[None]:
        """At most checks_in_flight() credential checks (their queries, hash and writes) at once in this
        process; the rest wait here before touching the database. A burst of 100 sign-ins then keeps
        the hashing threads busy without queueing everyone else's queries behind theirs."""
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = asyncio.Semaphore(checks_in_flight())
        async with gate:
            yield

    async def hash(self, secret: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(hashing_pool(), self._hasher.hash, secret)

    async def verify(self, stored_hash: str | None, secret: str) -> bool:
        """False for a wrong secret; with no hash, verifies a dummy so the time is the same."""
        return await asyncio.get_running_loop().run_in_executor(
            hashing_pool(), self._verify, stored_hash, secret
        )

    async def problem(self, password: str, identity: Identity) -> str | None:
        """`password_problem` off the event loop: zxcvbn takes milliseconds of CPU per password."""
        return await asyncio.get_running_loop().run_in_executor(
            hashing_pool(), password_problem, password, identity
        )

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)

    def _verify(self, stored_hash: str | None, secret: str) -> bool:
        try:
            if stored_hash is None:
                self._hasher.verify(self._dummy_hash, secret + "\x00never")
                return False
            return self._hasher.verify(stored_hash, secret)
        except (VerificationError, InvalidHashError):
            return False


def normalise_answer(answer: str) -> str:
    """Security answers match ignoring case, accents' composition and spacing."""
    return " ".join(unicodedata.normalize("NFKC", answer).casefold().split())


@dataclass(frozen=True)
class Identity:
    """Who a new password is for: it may not contain their name, username or e-mail address."""

    name: str
    username: str | None
    email: str

    @classmethod
    def of(cls, member: Member, username: str | None = None) -> Identity:
        """The member's identity; `username` is the one an activation is choosing."""
        return cls(member.display_name, username or member.username, member.email)

    def parts(self) -> set[str]:
        """Each of name, username and e-mail local part, whole and split at separators, folded;
        only parts of MIN_IDENTITY_PART characters or more, so initials and short names pass."""
        local_part = self.email.rsplit("@", 1)[0]
        found: set[str] = set()
        for value in (self.name, self.username or "", local_part):
            folded = _fold(value)
            found.update(
                part for part in [folded, *_SEPARATORS.split(folded)] if len(part) >= MIN_IDENTITY_PART
            )
        return found

    def words(self) -> list[str]:
        """zxcvbn's user inputs: the values and their words (the e-mail's domain too)."""
        words: list[str] = []
        for value in (self.name, self.username, self.email):
            if not value:
                continue
            words.append(value)
            words.extend(part for part in value.replace("@", " ").replace(".", " ").split() if len(part) > 2)
        return words


def password_problem(password: str, identity: Identity) -> str | None:
    """Why the password is refused (a sentence for the member), or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if has_control_characters(password):
        # A line break or tab in a new password is almost always a paste error the member cannot retype.
        return "Leave out line breaks, tabs and other control characters."
    if contains_identity(password, identity):
        return CONTAINS_IDENTITY
    result = zxcvbn(password, user_inputs=identity.words(), max_length=MAX_LENGTH)
    if result["score"] < MIN_SCORE:
        warning = result["feedback"].get("warning") or "This password is too easy to guess."
        return f"{warning} Add more words or characters that are hard to guess."
    return None


def contains_identity(password: str, identity: Identity) -> bool:
    """True when the password holds any part of the identity, ignoring case."""
    folded = _fold(password)
    return any(part in folded for part in identity.parts())


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()
