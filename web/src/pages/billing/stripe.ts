/**
 * The part of Stripe.js (https://docs.stripe.com/js) the billing page uses: a Card Element and
 * createPaymentMethod. Stripe.js is never bundled: a script element loads it from the URL the gateway
 * gives (paymentSetup.stripeJsUrl) when the card form first opens, and only with the Stripe processor.
 */

export interface StripeError {
  message?: string;
  type?: string;
  code?: string;
}

export interface CardChange {
  error?: StripeError;
  complete?: boolean;
}

export interface CardElement {
  mount(element: HTMLElement): void;
  on(event: "change", handler: (event?: CardChange) => void): void;
  destroy(): void;
}

export interface PaymentMethodResult {
  paymentMethod?: { id: string };
  error?: StripeError;
}

export interface Stripe {
  elements(): { create(type: "card", options?: object): CardElement };
  createPaymentMethod(data: { type: "card"; card: CardElement }): Promise<PaymentMethodResult | undefined>;
}

export type StripeFactory = (publishableKey: string) => Stripe;

declare global {
  interface Window {
    Stripe?: StripeFactory;
  }
}

// One script element per URL for the page's life (Stripe.js defines a global; loading it twice would not help).
const loading = new Map<string, Promise<StripeFactory>>();

/** Stripe.js's `Stripe` function, once the script from `url` has run; a failed load may be tried again. */
export function loadStripe(url: string): Promise<StripeFactory> {
  const known = loading.get(url);
  if (known) return known;
  const loaded = new Promise<StripeFactory>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = url;
    script.async = true;
    script.addEventListener("load", () =>
      window.Stripe ? resolve(window.Stripe) : reject(new Error("Stripe.js defined no Stripe")),
    );
    script.addEventListener("error", () => {
      loading.delete(url);
      script.remove();
      reject(new Error("Stripe.js could not be loaded"));
    });
    document.head.appendChild(script);
  });
  loading.set(url, loaded);
  return loaded;
}
