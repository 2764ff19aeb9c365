"""The typed per-request context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from gateway.settings import Settings
from models.access import Permission
from models.members import Member
from models.passwords import Passwords
from models.security import Session
from models.sessions import ClientInfo, SessionPolicy
from schema.loaders import Loaders


@dataclass(frozen=True)
class Principal:
    """Who is calling: a member through a session."""

    member: Member
    session: Session
    permissions: frozenset[Permission]

    @property
    def account_id(self) -> int:
        return int(self.member.account_id)  # type: ignore[attr-defined]


@dataclass
class Context:
    request: Request
    response: Response
    settings: Settings
    passwords: Passwords
    principal: Principal | None
    client: ClientInfo
    loaders: Loaders = field(default_factory=Loaders)

    @property
    def session_policy(self) -> SessionPolicy:
        return SessionPolicy(self.settings.session_idle_seconds, self.settings.session_max_seconds)
