"""Security headers on every answer (pure ASGI, so it also covers errors and streaming)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "cross-origin-opener-policy": "same-origin",
}
# JSON answers never need to load anything; GraphiQL (development only) loads its scripts from a CDN.
JSON_CSP = "default-src 'none'; frame-ancestors 'none'"
# The portal's pages (gateway/portal.py): its own scripts, styles and images only, never inline script (the
# QR code of two-factor set-up is drawn on a canvas, so no data: image either).
PORTAL_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=63072000; includeSubDomains"


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        # Encoded once; an answer's own header of the same name wins (setdefault, as a dict would).
        defaults = {**API_HEADERS, **({"strict-transport-security": HSTS} if https else {})}
        self.defaults = [(name.encode(), value.encode()) for name, value in defaults.items()]
        self.csp = (b"content-security-policy", JSON_CSP.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower(): value for name, value in headers}
                headers += [(name, value) for name, value in self.defaults if name not in present]
                if self.csp[0] not in present and not present.get(b"content-type", b"").startswith(
                    b"text/html"
                ):
                    headers.append(self.csp)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
