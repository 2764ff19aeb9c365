import { dateTime, methodName } from "../../lib/format";
import type { BillingAccount, PaymentRow } from "../Billing";
import { awaitingMember } from "./PaymentsAwaiting";

const PAYMENT_STATUS = { PENDING: "Pending", SUCCEEDED: "Paid", FAILED: "Failed" } as const;

interface Props {
  payments: BillingAccount["payments"];
  timeZone: string | undefined;
  /** The signed-in member: their own payments say "You paid". */
  viewerId: string;
}

/** Who made the payment, as the viewer reads it: "You paid", another member's name, or "Autopay". A payment
 * with no member (a partner app's, or one by a member since removed) says it was paid online. */
export function payer(payment: Pick<PaymentRow, "source" | "paidBy">, viewerId: string): string {
  if (payment.source === "AUTOPAY") return "Autopay";
  if (!payment.paidBy) return "Paid online";
  return payment.paidBy.id === viewerId ? "You paid" : payment.paidBy.displayName;
}

/** The account's payments, newest first; one waiting for the member says so (PaymentsAwaiting has its link). */
export function PaymentHistory({ payments, timeZone, viewerId }: Props) {
  return (
    <section className="card" aria-labelledby="bill-payments">
      <h2 id="bill-payments">Payment history</h2>
      {payments && payments.edges.length > 0 ? (
        <div className="table-wrap">
          <table className="stack-small">
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Paid with</th>
                <th scope="col">Who paid</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {payments.edges.map(({ node }) => (
                <tr key={node.id}>
                  <td data-label="Date">{dateTime(node.createdAt, timeZone)}</td>
                  <td data-label="Amount" className="num">
                    {node.amount.formatted}
                  </td>
                  <td data-label="Paid with">{node.paymentMethod ? methodName(node.paymentMethod) : "—"}</td>
                  <td data-label="Who paid">{payer(node, viewerId)}</td>
                  <td data-label="Status">
                    {PAYMENT_STATUS[node.status]}
                    {node.failureMessage ? `: ${node.failureMessage}` : ""}
                    {awaitingMember(node) ? " (waiting for you to confirm it)" : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p>No payments yet.</p>
      )}
    </section>
  );
}
