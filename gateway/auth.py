"""Authentication middleware: a bearer session token, or the HttpOnly session cookie with the
double-submit CSRF header, becomes a Principal once per request; a bearer API key (`agk_...`)
becomes an ApiKeyPrincipal."""

from __future__ import annotations

import hmac
import ipaddress

from starlette.authentication import AuthCredentials, AuthenticationBackend, BaseUser
from starlette.requests import HTTPConnection

from gateway.settings import Settings
from models.members.models import MemberStatus, member_permissions
from models.partners import api_keys
from models.security.sessions import SessionPolicy, session_for_token
from models.security.tokens import csrf_token_for
from schema.context import ApiKeyPrincipal, Caller, Principal
from schema.security.sessions import CSRF_COOKIE, SESSION_COOKIE

CSRF_HEADER = "x-csrf-token"


class PrincipalUser(BaseUser):
    def __init__(self, caller: Caller | None) -> None:
        self.caller = caller

    @property
    def principal(self) -> Principal | None:
        """The signed-in member, if a member is calling."""
        return self.caller if isinstance(self.caller, Principal) else None

    @property
    def api_key(self) -> ApiKeyPrincipal | None:
        return self.caller if isinstance(self.caller, ApiKeyPrincipal) else None

    @property
    def is_authenticated(self) -> bool:
        return self.caller is not None

    @property
    def display_name(self) -> str:
        if isinstance(self.caller, Principal):
            return self.caller.member.display_name
        return f"API key {self.caller.api_key_id}" if self.caller else ""


class SessionBackend(AuthenticationBackend):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.policy = SessionPolicy(settings.session_idle_seconds, settings.session_max_seconds)

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        token = self._token(conn)
        if token is None:
            return AuthCredentials(), PrincipalUser(None)
        if api_keys.looks_like_key(token):
            return AuthCredentials(), PrincipalUser(await self._key_principal(token))
        return AuthCredentials(), PrincipalUser(await self._principal(token))

    def _token(self, conn: HTTPConnection) -> str | None:
        """The bearer token, else the session cookie when the CSRF header matches it."""
        authorization = conn.headers.get("authorization", "")
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            return credentials.strip()[:200]
        cookie_token = conn.cookies.get(SESSION_COOKIE)
        # An API key is a bearer credential only, never taken from a cookie.
        if not cookie_token or api_keys.looks_like_key(cookie_token):
            return None
        header = conn.headers.get(CSRF_HEADER, "")
        expected = csrf_token_for(self.settings.secret_key, cookie_token)
        if not (
            hmac.compare_digest(header.encode(), expected.encode())
            and hmac.compare_digest(conn.cookies.get(CSRF_COOKIE, "").encode(), expected.encode())
        ):
            return None
        return cookie_token[:200]

    async def _principal(self, token: str) -> Principal | None:
        session = await session_for_token(token, self.policy)
        if session is None:
            return None
        member = session.member
        if (
            member.status_enum in (MemberStatus.DISABLED, MemberStatus.INVITED)
            or member.removed_at is not None
        ):
            return None
        return Principal(member=member, session=session, permissions=await member_permissions(member))

    async def _key_principal(self, secret: str) -> ApiKeyPrincipal | None:
        access = await api_keys.access_for(secret)
        if access is None:
            return None
        key = access.key
        return ApiKeyPrincipal(
            api_key_id=key.id,
            account_id=key.account_id,
            created_by_id=key.created_by_id,
            permissions=access.permissions,
        )


def client_ip(conn: HTTPConnection, trusted_proxies: tuple[str, ...]) -> str | None:
    """The socket's peer, or the nearest untrusted X-Forwarded-For hop when the peer is a trusted proxy."""
    peer = conn.client.host if conn.client else None
    if peer is None or not trusted_proxies or not _in_networks(peer, trusted_proxies):
        return peer
    hops = [hop.strip() for hop in conn.headers.get("x-forwarded-for", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_ip(hop):
            return peer
        if not _in_networks(hop, trusted_proxies):
            return hop
    return peer


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _in_networks(address: str, networks: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(network, strict=False) for network in networks)
