"""Security headers on every answer (pure ASGI, so it also covers errors and streaming)."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.settings import Settings

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
# With PAYMENT_PROCESSOR=stripe the billing page loads Stripe.js, whose card field is an iframe and which
# calls Stripe's API from the page: the sources Stripe's security guide lists for them.
STRIPE_JS_ORIGIN = "https://js.stripe.com"
STRIPE_SCRIPTS = (STRIPE_JS_ORIGIN, "https://*.js.stripe.com")
STRIPE_FRAMES = (*STRIPE_SCRIPTS, "https://hooks.stripe.com")
STRIPE_API = "https://api.stripe.com"
HSTS = "max-age=63072000; includeSubDomains"


def portal_csp(settings: Settings) -> str:
    """PORTAL_CSP, plus Stripe.js's sources when the Stripe processor is configured. A stand-in for
    Stripe.js at another STRIPE_JS_URL (localstripe's, in tests) is allowed by its origin, and it calls its
    own server rather than api.stripe.com."""
    if settings.payment_processor != "stripe":
        return PORTAL_CSP
    parts = urlsplit(settings.stripe_js_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    scripts: tuple[str, ...]
    frames: tuple[str, ...]
    connect: tuple[str, ...]
    if origin == STRIPE_JS_ORIGIN:
        scripts, frames, connect = STRIPE_SCRIPTS, STRIPE_FRAMES, (STRIPE_API,)
    else:
        scripts, frames, connect = (origin,), (origin,), (STRIPE_API, origin)
    # frame-src fell back to default-src 'self' before: it keeps 'self' beside Stripe's frames.
    added = {"script-src": scripts, "connect-src": connect, "frame-src": frames}
    directives = [part.strip().split(" ", 1) for part in PORTAL_CSP.split(";")]
    directives.append(["frame-src", "'self'"])
    return "; ".join(" ".join([name, sources, *added.get(name, ())]) for name, sources in directives)


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
