import { dateTime, methodName } from "../../lib/format";
import type { BillingAccount } from "../Billing";
import { awaitingMember } from "./PaymentsAwaiting";

const PAYMENT_STATUS = { PENDING: "Pending", SUCCEEDED: "Paid", FAILED: "Failed" } as const;

interface Props {
  payments: BillingAccount["payments"];
  timeZone: string | undefined;
}

/** The account's payments, newest first; one waiting for the member says so (PaymentsAwaiting has its link). */
export function PaymentHistory({ payments, timeZone }: Props) {
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
                <th scope="col">How</th>
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
                  <td data-label="How">{node.source === "AUTOPAY" ? "Autopay" : "You paid"}</td>
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
