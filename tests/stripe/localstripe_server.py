"""localstripe as the Stripe tests run it: `python -m tests.stripe.localstripe_server --port N`.

Three changes to localstripe 1.15, each so that it answers what Stripe answers:
- its store stays in memory: localstripe pickles it to the fixed /tmp/localstripe.pickle on every write,
  which every run on the machine would share;
- PaymentIntent confirmation takes `return_url` and `off_session`, as Stripe's does (localstripe refuses
  any parameter there). With a return_url, a card that needs 3-D Secure answers Stripe's
  `redirect_to_url` next action (localstripe gives only `use_stripe_sdk`); `off_session` is kept on the
  intent so a test can see that autopay sent it;
- its fake Stripe.js (served at /js.stripe.com/v3/, what STRIPE_JS_URL points at in the end-to-end tests)
  has `createPaymentMethod` as an empty stub: here it makes a PaymentMethod from the fake Card Element's
  inputs with the publishable key, as Stripe.js does (POST /v1/payment_methods, which localstripe otherwise
  takes only with a secret key), and says "Your card number is incomplete." for a short number, as Stripe.js
  does before calling the API; and, as Stripe's API does, it answers a browser's CORS preflight for the
  headers the page sends (a test's browser context adds X-Forwarded-For to every request)."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import localstripe
from aiohttp import web
from localstripe import resources

_confirm = resources.PaymentIntent._api_confirm
FAKE_STRIPE_JS = Path(localstripe.__file__).with_name("localstripe-v3.js")
STUB = "createPaymentMethod: async () => {},"
CREATE_PAYMENT_METHOD = """createPaymentMethod: async ({type, card}) => {
      const value = (card && card.value && card.value.card) || {};
      if ((value.number || '').length < 16) {
        return {error: {type: 'validation_error', code: 'incomplete_number',
                        message: 'Your card number is incomplete.'}};
      }
      const body = new URLSearchParams({key: apiKey, type});
      Object.keys(value).forEach(field => body.append(`card[${field}]`, value[field]));
      const response = await fetch(`${LOCALSTRIPE_BASE_API}/v1/payment_methods`, {method: 'POST', body});
      const res = await response.json().catch(() => ({}));
      return response.status === 200 && !res.error ? {paymentMethod: res} : {error: res.error};
    },"""
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _confirm_like_stripe(
    id: str, return_url: str | None = None, off_session: Any = None, **params: Any
) -> Any:
    intent = _confirm(id, **params)
    if off_session is not None:
        intent.metadata["off_session"] = str(off_session).lower()
    if return_url and intent.next_action:
        intent.next_action = {
            "type": "redirect_to_url",
            "redirect_to_url": {"url": f"https://localstripe.test/3ds/{id}", "return_url": return_url},
        }
    return intent


def fake_stripe_js() -> str:
    script = FAKE_STRIPE_JS.read_text()
    assert STUB in script, "localstripe's Stripe.js changed: look again at its createPaymentMethod"
    return script.replace(STUB, CREATE_PAYMENT_METHOD)


@web.middleware
async def like_stripe_js(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Serves fake_stripe_js(), and lets a publishable key (in the form, as Stripe.js sends it) make a
    PaymentMethod, past localstripe's check for a secret key."""
    if request.method == "OPTIONS":
        return web.Response(status=204)
    if request.method == "GET" and request.path == "/js.stripe.com/v3/":
        return web.Response(text=fake_stripe_js(), content_type="application/javascript")
    if request.method == "POST" and request.path == "/v1/payment_methods":
        form = await request.post()
        if str(form.get("key", "")).startswith("pk_"):
            return await request.match_info.handler(request)
    return await handler(request)


async def cors_like_stripe(request: web.Request, response: web.StreamResponse) -> None:
    """localstripe's CORS headers, allowing whatever headers the preflight asked for."""
    if origin := request.headers.get("Origin"):
        response.headers["Access-Control-Allow-Origin"] = origin
        asked = request.headers.get("Access-Control-Request-Headers")
        response.headers["Access-Control-Allow-Headers"] = asked or "Content-Type, Accept"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS, DELETE"


def main() -> None:
    resources.Store.dump_to_disk = lambda self: None  # type: ignore[method-assign]
    resources.extra_apis[:] = [
        (method, url, _confirm_like_stripe if func == _confirm else func)
        for method, url, func in resources.extra_apis
    ]
    from localstripe import server  # registers its routes from extra_apis at import

    server.app.middlewares.insert(1, like_stripe_js)  # inside its error middleware, before its auth
    server.app.on_response_prepare.remove(server.add_cors_headers)
    server.app.on_response_prepare.append(cors_like_stripe)

    sys.argv = ["localstripe", "--from-scratch", *sys.argv[1:]]
    server.start()


if __name__ == "__main__":
    main()
