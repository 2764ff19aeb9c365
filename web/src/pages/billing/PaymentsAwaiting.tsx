import { methodName } from "../../lib/format";
import type { BillingAccount, PaymentRow } from "../Billing";

/** A PENDING payment the member's bank wants them to confirm (3-D Secure), at a page we can link to. */
export function awaitingMember(payment: PaymentRow): boolean {
  return payment.status === "PENDING" && /^https?:\/\//.test(payment.nextAction ?? "");
}

/**
 * Above the rest of the page: each payment waiting for the member, with the sentence of the e-mail they
 * were sent (models/billing/messages.py) and a "Complete payment" link to the processor's page. The
 * processor brings them back to Billing once they have confirmed (or not).
 */
export function PaymentsAwaiting({ payments }: { payments: BillingAccount["payments"] }) {
  const waiting = (payments?.edges ?? []).map(({ node }) => node).filter(awaitingMember);
  if (waiting.length === 0) return null;
  return (
    <section className="card attention" aria-labelledby="bill-awaiting">
      <h2 id="bill-awaiting">{waiting.length === 1 ? "A payment needs you" : "Payments need you"}</h2>
      <ul className="plain">
        {waiting.map((payment) => (
          <li key={payment.id} className="awaiting">
            <p id={`awaiting-${payment.id}`}>
              Your bank asks you to confirm your payment of {payment.amount.formatted}
              {payment.paymentMethod ? ` by ${methodName(payment.paymentMethod)}` : ""}. Nothing is charged until
              you do.
            </p>
            <a className="button" href={payment.nextAction ?? undefined} aria-describedby={`awaiting-${payment.id}`}>
              Complete payment
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
