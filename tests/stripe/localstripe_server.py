"""localstripe as the Stripe tests run it: `python -m tests.stripe.localstripe_server --port N`.

Three changes to localstripe 1.15, each so that it answers what Stripe answers:
- its store stays in memory: localstripe pickles it to the fixed /tmp/localstripe.pickle on every write,
  which every run on the machine would share;
- PaymentIntent confirmation takes `return_url` and `off_session`, as Stripe's does (localstripe refuses
  any parameter there). With a return_url, a card that needs 3-D Secure answers Stripe's
  `redirect_to_url` next action (localstripe gives only `use_stripe_sdk`); `off_session` is kept on the
  intent so a test can see that autopay sent it;
- PaymentIntent cancellation takes `cancellation_reason`, as Stripe's does; it is kept in the intent's
  metadata (Stripe has a field of its own) so a test can see it."""

from __future__ import annotations

import sys
from typing import Any

from localstripe import resources

_confirm = resources.PaymentIntent._api_confirm
_cancel = resources.PaymentIntent._api_cancel


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


def _cancel_like_stripe(id: str, cancellation_reason: str | None = None, **params: Any) -> Any:
    intent = _cancel(id, **params)
    if cancellation_reason is not None:
        intent.metadata["cancellation_reason"] = cancellation_reason
    return intent


REPLACED = {_confirm: _confirm_like_stripe, _cancel: _cancel_like_stripe}


def main() -> None:
    resources.Store.dump_to_disk = lambda self: None  # type: ignore[method-assign]
    resources.extra_apis[:] = [
        (method, url, REPLACED.get(func, func)) for method, url, func in resources.extra_apis
    ]
    from localstripe import server  # registers its routes from extra_apis at import

    sys.argv = ["localstripe", "--from-scratch", *sys.argv[1:]]
    server.start()


if __name__ == "__main__":
    main()
