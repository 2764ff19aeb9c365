import { useQuery } from "../api/hooks";
import { Errors, Loading } from "../components/Notice";
import { NotAllowed, Page } from "../components/Page";
import { graphql } from "../gql";
import type { BillingQuery } from "../gql/graphql";
import { calendarDate, dateTime } from "../lib/format";
import { can } from "../session/me";
import { useMe } from "../session/SessionProvider";
import { AutopaySection } from "./billing/AutopaySection";
import { NextPayment } from "./billing/NextPayment";
import { PayBill } from "./billing/PayBill";
import { PaymentHistory } from "./billing/PaymentHistory";
import { PaymentMethods } from "./billing/PaymentMethods";
import { PaymentsAwaiting } from "./billing/PaymentsAwaiting";
import { StatementPdf } from "./billing/StatementPdf";

const BillingPageQuery = graphql(`
  query Billing($methods: Boolean!) {
    paymentSetup {
      processor
      publishableKey
      stripeJsUrl
    }
    account {
      id
      timeZone
      balance {
        amount
        currency
        formatted
      }
      nextPayment {
        amount {
          amount
          formatted
        }
        dueDate
        autopay
      }
      statements(first: 12) {
        totalCount
        edges {
          node {
            id
            periodStart
            periodEnd
            issuedAt
            dueDate
            amountDue {
              formatted
            }
            amountPaid {
              formatted
            }
            status
            lineItems {
              description
              amount {
                formatted
              }
            }
          }
        }
      }
      payments(first: 20) {
        totalCount
        edges {
          node {
            id
            amount {
              formatted
            }
            status
            source
            createdAt
            failureMessage
            nextAction
            paidBy {
              id
              displayName
            }
            paymentMethod {
              kind
              brand
              last4
            }
          }
        }
      }
      paymentMethods @include(if: $methods) {
        id
        kind
        brand
        last4
        expMonth
        expYear
        isDefault
      }
      autopay {
        enabled
        daysBeforeDue
        maxAmount {
          amount
          formatted
        }
        paymentMethod {
          id
          kind
          brand
          last4
        }
      }
    }
  }
`);

export type BillingAccount = NonNullable<BillingQuery["account"]>;
export type SavedMethod = NonNullable<BillingAccount["paymentMethods"]>[number];
export type PaymentSetup = BillingQuery["paymentSetup"];
export type PaymentRow = NonNullable<BillingAccount["payments"]>["edges"][number]["node"];

const STATEMENT_STATUS = { OPEN: "Open", PAID: "Paid", OVERDUE: "Overdue" } as const;

export default function Billing() {
  const me = useMe();
  const allowed = can(me, "VIEW_BILLING");
  const methods = can(me, "PAY_BILLS") || can(me, "MANAGE_PAYMENT_METHODS");
  const { data, error, loading, reload } = useQuery(BillingPageQuery, { methods }, !allowed);

  if (!allowed) {
    return (
      <Page title="Billing">
        <NotAllowed>
          Your access to this account does not include billing. The account's primary member can give it to you.
        </NotAllowed>
      </Page>
    );
  }

  const account = data?.account;
  const setup = data?.paymentSetup;
  const tz = account?.timeZone;
  return (
    <Page title="Billing">
      <Errors messages={[error]} />
      {loading && !account && <Loading />}
      {account && (
        <>
          <PaymentsAwaiting payments={account.payments} />
          <div className="grid">
            <section className="card" aria-labelledby="bill-balance">
              <h2 id="bill-balance">Balance</h2>
              <p className="big">{account.balance?.formatted ?? "—"}</p>
              <p>
                {account.nextPayment && "Next payment: "}
                <NextPayment next={account.nextPayment} autopay={account.autopay} />
              </p>
              {can(me, "PAY_BILLS") ? (
                <PayBill balance={account.balance} methods={account.paymentMethods ?? []} onPaid={reload} />
              ) : (
                <p className="aside">Your access does not include paying bills.</p>
              )}
            </section>
            <AutopaySection
              autopay={account.autopay}
              next={account.nextPayment}
              methods={account.paymentMethods ?? []}
              canManage={can(me, "MANAGE_PAYMENT_METHODS")}
              onChanged={reload}
            />
          </div>

          {methods && setup && (
            <PaymentMethods
              methods={account.paymentMethods ?? []}
              setup={setup}
              autopayMethodId={account.autopay?.enabled ? (account.autopay.paymentMethod?.id ?? null) : null}
              canManage={can(me, "MANAGE_PAYMENT_METHODS")}
              onChanged={reload}
            />
          )}

          <section className="card" aria-labelledby="bill-statements">
            <h2 id="bill-statements">Statements</h2>
            {account.statements && account.statements.edges.length > 0 ? (
              <ul className="plain">
                {account.statements.edges.map(({ node }) => (
                  <li key={node.id}>
                    <details>
                      <summary id={`statement-${node.id}`}>
                        {calendarDate(node.periodStart)} to {calendarDate(node.periodEnd)}: {node.amountDue.formatted}, due{" "}
                        {calendarDate(node.dueDate)}{" "}
                        <span className={`badge${node.status === "OVERDUE" ? " badge-bad" : node.status === "PAID" ? " badge-ok" : ""}`}>
                          {STATEMENT_STATUS[node.status]}
                        </span>
                      </summary>
                      <table>
                        <caption className="aside">Issued {dateTime(node.issuedAt, tz)}</caption>
                        <tbody>
                          {node.lineItems.map((item, index) => (
                            <tr key={index}>
                              <td>{item.description}</td>
                              <td className="num">{item.amount.formatted}</td>
                            </tr>
                          ))}
                          <tr>
                            <td>Paid so far</td>
                            <td className="num">{node.amountPaid.formatted}</td>
                          </tr>
                        </tbody>
                      </table>
                    </details>
                    <StatementPdf statementId={node.id} describedBy={`statement-${node.id}`} />
                  </li>
                ))}
              </ul>
            ) : (
              <p>No statements yet.</p>
            )}
          </section>

          <PaymentHistory payments={account.payments} timeZone={tz} viewerId={me.id} />
        </>
      )}
    </Page>
  );
}
