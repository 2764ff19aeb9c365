import { Link } from "react-router";
import { useQuery } from "../api/hooks";
import { Errors, Loading } from "../components/Notice";
import { Page } from "../components/Page";
import { graphql } from "../gql";
import { bytes, calendarDate, dateTime, serviceKindName, timeRange } from "../lib/format";
import { can } from "../session/me";
import { useMe } from "../session/SessionProvider";
import { NextPayment } from "./billing/NextPayment";

// Each part is asked for only when the member's permissions allow it, so that nobody gets FORBIDDEN.
const OverviewQuery = graphql(`
  query Overview($billing: Boolean!, $services: Boolean!, $activity: Boolean!) {
    account {
      id
      number
      name
      timeZone
      serviceAddress {
        line1
        line2
        city
        region
        postalCode
      }
      balance @include(if: $billing) {
        amount
        formatted
      }
      nextPayment @include(if: $billing) {
        amount {
          amount
          formatted
        }
        dueDate
        autopay
      }
      autopay @include(if: $billing) {
        enabled
        daysBeforeDue
        maxAmount {
          amount
          formatted
        }
      }
      statements(first: 1) @include(if: $billing) {
        edges {
          node {
            id
            periodStart
            periodEnd
            dueDate
            amountDue {
              formatted
            }
            status
          }
        }
      }
      services {
        id
        kind
        plan
        monthlyPrice {
          formatted
        }
        dataUsage @include(if: $services) {
          periodStart
          usedBytes
          allowanceBytes
        }
      }
      appointments @include(if: $services) {
        id
        startsAt
        endsAt
        reason
        status
      }
      activity(first: 5) @include(if: $activity) {
        edges {
          node {
            id
            at
            summary
          }
        }
      }
    }
  }
`);

const STATEMENT_STATUS = { OPEN: "Open", PAID: "Paid", OVERDUE: "Overdue" } as const;

export default function Overview() {
  const me = useMe();
  const billing = can(me, "VIEW_BILLING");
  const services = can(me, "MANAGE_SERVICES");
  const activity = can(me, "VIEW_ACTIVITY");
  const { data, error, loading } = useQuery(OverviewQuery, { billing, services, activity });
  const account = data?.account;
  const tz = account?.timeZone;

  return (
    <Page title="Account overview">
      <p className="lead">Welcome, {me.displayName}.</p>
      <Errors messages={[error]} />
      {loading && !account && <Loading />}
      {account && (
        <div className="grid">
          <section className="card" aria-labelledby="ov-account">
            <h2 id="ov-account">{account.name}</h2>
            <p>Account number {account.number}</p>
            {account.serviceAddress && (
              <p>
                {account.serviceAddress.line1}
                {account.serviceAddress.line2 ? `, ${account.serviceAddress.line2}` : ""}, {account.serviceAddress.city},{" "}
                {account.serviceAddress.region} {account.serviceAddress.postalCode}
              </p>
            )}
          </section>

          {billing && (
            <section className="card" aria-labelledby="ov-billing">
              <h2 id="ov-billing">Billing</h2>
              <dl className="facts">
                <div>
                  <dt>Balance</dt>
                  <dd className="big">{account.balance?.formatted ?? "—"}</dd>
                </div>
                <div>
                  <dt>Next payment</dt>
                  <dd>
                    <NextPayment next={account.nextPayment} autopay={account.autopay} />
                  </dd>
                </div>
                <div>
                  <dt>Autopay</dt>
                  <dd>{account.autopay?.enabled ? "On" : "Off"}</dd>
                </div>
                <div>
                  <dt>Latest statement</dt>
                  <dd>
                    {account.statements?.edges[0] ? (
                      <LatestStatement statement={account.statements.edges[0].node} />
                    ) : (
                      "No statements yet."
                    )}
                  </dd>
                </div>
              </dl>
              <p>
                <Link to="/billing">See statements and payments</Link>
              </p>
            </section>
          )}

          <section className="card" aria-labelledby="ov-services">
            <h2 id="ov-services">Your services</h2>
            {account.services && account.services.length > 0 ? (
              <ul className="plain">
                {account.services.map((service) => (
                  <li key={service.id}>
                    <strong>{service.plan}</strong> ({serviceKindName(service.kind)}), {service.monthlyPrice.formatted} a month
                    {service.dataUsage && (
                      <Usage used={service.dataUsage.usedBytes} allowance={service.dataUsage.allowanceBytes} />
                    )}
                  </li>
                ))}
              </ul>
            ) : (
              <p>No services yet.</p>
            )}
            <p>
              <Link to="/services">See data usage and appointments</Link>
            </p>
          </section>

          {services && (
            <section className="card" aria-labelledby="ov-appointment">
              <h2 id="ov-appointment">Next appointment</h2>
              <NextAppointment appointments={account.appointments ?? []} timeZone={tz} />
            </section>
          )}

          {activity && (
            <section className="card wide" aria-labelledby="ov-activity">
              <h2 id="ov-activity">Recent activity</h2>
              {account.activity && account.activity.edges.length > 0 ? (
                <ul className="plain activity">
                  {account.activity.edges.map(({ node }) => (
                    <li key={node.id}>
                      <time dateTime={node.at}>{dateTime(node.at, tz)}</time> {node.summary}
                    </li>
                  ))}
                </ul>
              ) : (
                <p>Nothing yet.</p>
              )}
              <p>
                <Link to="/security">See the full activity log</Link>
              </p>
            </section>
          )}
        </div>
      )}
    </Page>
  );
}

function LatestStatement({
  statement,
}: {
  statement: { periodStart: string; periodEnd: string; dueDate: string; amountDue: { formatted: string }; status: keyof typeof STATEMENT_STATUS };
}) {
  return (
    <>
      {calendarDate(statement.periodStart)} to {calendarDate(statement.periodEnd)}: {statement.amountDue.formatted}, due{" "}
      {calendarDate(statement.dueDate)} ({STATEMENT_STATUS[statement.status]})
    </>
  );
}

export function Usage({ used, allowance }: { used: number; allowance: number | null }) {
  if (allowance == null || allowance <= 0) return <p className="usage">Data used this period: {bytes(used)} (no limit)</p>;
  return (
    <div className="usage">
      <p>
        Data used this period: {bytes(used)} of {bytes(allowance)}
      </p>
      <meter min={0} max={allowance} value={Math.min(used, allowance)} aria-label="Data used" />
    </div>
  );
}

function NextAppointment({
  appointments,
  timeZone,
}: {
  appointments: readonly { id: string; startsAt: string; endsAt: string; reason: string; status: string }[];
  timeZone: string | undefined;
}) {
  const now = Date.now();
  const next = appointments.find((item) => item.status === "SCHEDULED" && new Date(item.endsAt).getTime() > now);
  if (!next) return <p>No appointment booked. <Link to="/services">Schedule one</Link> if you need a technician.</p>;
  return (
    <p className="free-text">
      {timeRange(next.startsAt, next.endsAt, timeZone)}: {next.reason}
    </p>
  );
}
