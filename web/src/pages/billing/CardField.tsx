import { useEffect, useId, useImperativeHandle, useRef, useState, type Ref } from "react";
import { loadStripe, type CardElement, type Stripe } from "./stripe";

/** What the add form asks of the card field when it is submitted. */
export interface CardHandle {
  /** The `pm_...` id Stripe.js made from the card typed in, or null (the reason is shown at the field). */
  paymentMethod(): Promise<string | null>;
}

interface Props {
  publishableKey: string | null;
  stripeJsUrl: string | null;
  /** The gateway's refusal of the card Stripe.js made (addPaymentMethod's error at processorToken). */
  refused?: string | undefined;
  ref: Ref<CardHandle>;
}

const NOT_LOADED = "The card form could not be loaded. Check your connection, then choose Cancel and try again.";
const NOT_SET_UP = "Cards cannot be added here yet: the portal has no Stripe publishable key (STRIPE_PUBLISHABLE_KEY).";
const NOT_READY = "The card form is still loading. Please wait a moment.";
const NOT_CHECKED = "The card could not be checked. Please try again.";
// Stripe's card field is its own frame: it takes its look from here, not from the stylesheet.
const CARD_STYLE = {
  base: { fontSize: "16px", color: "#1b2430", fontFamily: "system-ui, sans-serif", "::placeholder": { color: "#52606d" } },
  invalid: { color: "#a8231c" },
};

/**
 * Stripe's Card Element under the label "Card": the number, expiry and code go from the member's browser
 * to Stripe, never through the gateway, which gets the PaymentMethod id. Stripe.js's messages (an
 * incomplete number, a declined card) are shown at the field.
 */
export function CardField({ publishableKey, stripeJsUrl, refused, ref }: Props) {
  const id = useId();
  const mountPoint = useRef<HTMLDivElement>(null);
  const mounted = useRef<{ stripe: Stripe; card: CardElement } | null>(null);
  const [error, setError] = useState<string | null>(publishableKey && stripeJsUrl ? null : NOT_SET_UP);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    if (!publishableKey || !stripeJsUrl) return;
    let card: CardElement | null = null;
    let gone = false;
    loadStripe(stripeJsUrl).then(
      (factory) => {
        if (gone || !mountPoint.current) return;
        const stripe = factory(publishableKey);
        card = stripe.elements().create("card", { style: CARD_STYLE });
        card.on("change", (event) => setError(event?.error?.message ?? null));
        card.mount(mountPoint.current);
        mounted.current = { stripe, card };
        setReady(true);
      },
      () => gone || setError(NOT_LOADED),
    );
    return () => {
      gone = true;
      card?.destroy();
      mounted.current = null;
    };
  }, [publishableKey, stripeJsUrl]);

  useImperativeHandle(
    ref,
    () => ({
      async paymentMethod() {
        const current = mounted.current;
        if (!current) {
          setError((shown) => shown ?? NOT_READY);
          return null;
        }
        // Stripe.js answers its failures as `error`; a stand-in may reject instead (its fetch failed).
        const result = await current.stripe
          .createPaymentMethod({ type: "card", card: current.card })
          .catch(() => undefined);
        if (!result?.paymentMethod) {
          setError(result?.error?.message ?? NOT_CHECKED);
          return null;
        }
        setError(null);
        return result.paymentMethod.id;
      },
    }),
    [],
  );

  const shown = error ?? refused ?? null;
  const described = [`${id}-hint`, shown ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <div className={`field card-field${shown ? " has-error" : ""}`}>
      <span className="label" id={`${id}-label`}>
        Card
      </span>
      <div id={`${id}-hint`} className="hint">
        Card number, expiry date and security code. They go straight to our payment processor, Stripe.
      </div>
      <div
        ref={mountPoint}
        className="card-element"
        role="group"
        aria-labelledby={`${id}-label`}
        aria-describedby={described}
        aria-busy={!ready}
      />
      {!ready && !shown && <p className="aside">Loading the card form…</p>}
      {shown && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {shown}
        </p>
      )}
    </div>
  );
}
