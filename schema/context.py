"""The typed per-request context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from gateway.settings import Settings
from models.access import Permission
from models.accounts.models import Account
from models.members.models import Member
from models.security.models import Session
from models.security.passwords import Passwords
from models.security.sessions import ClientInfo, SessionPolicy
from schema.loaders import Loaders


@dataclass(frozen=True)
class Principal:
    """Who is calling: a member through a session."""

    member: Member
    session: Session
    permissions: frozenset[Permission]

    @property
    def account_id(self) -> int:
        return self.member.account_id

    @property
    def account(self) -> Account | None:
        """The member's account row when the session's read brought it along (models/security/sessions.py)."""
        found = vars(self.member).get("_account")
        return found if isinstance(found, Account) else None

    @property
    def api_key_id(self) -> None:
        return None


@dataclass(frozen=True)
class ApiKeyPrincipal:
    """Who is calling: a partner app through an API key (no member, no session).

    `permissions` are the key's own within its creator's current ones."""

    api_key_id: int
    account_id: int
    created_by_id: int
    permissions: frozenset[Permission]


# Either kind of caller; `Context.principal` stays member-only, so code written for members
# (sessions, profile, step-up) never meets a key by accident.
Caller = Principal | ApiKeyPrincipal


@dataclass
class Context:
    request: Request
    response: Response
    settings: Settings
    passwords: Passwords
    principal: Principal | None
    client: ClientInfo
    loaders: Loaders = field(default_factory=Loaders)
    api_key: ApiKeyPrincipal | None = None

    @property
    def caller(self) -> Caller | None:
        """The signed-in member or the API key the request authenticated with."""
        return self.principal if self.principal is not None else self.api_key

    @property
    def session_policy(self) -> SessionPolicy:
        return SessionPolicy(self.settings.session_idle_seconds, self.settings.session_max_seconds)
