import { useQuery } from "../api/hooks";
import { Errors, Loading } from "../components/Notice";
import { NotAllowed, Page } from "../components/Page";
import { graphql } from "../gql";
import type { ServicesQuery } from "../gql/graphql";
import { bytes, calendarDate, serviceKindName } from "../lib/format";
import { can } from "../session/me";
import { useMe } from "../session/SessionProvider";
import { Appointments } from "./services/Appointments";
import { OutageReport } from "./services/OutageReport";

const ServicesPageQuery = graphql(`
  query Services($manage: Boolean!) {
    account {
      id
      timeZone
      services {
        id
        kind
        plan
        monthlyPrice {
          formatted
        }
        dataUsage @include(if: $manage) {
          periodStart
          usedBytes
          allowanceBytes
        }
      }
      appointmentWindows(days: 21) @include(if: $manage) {
        startsAt
        endsAt
      }
      appointments @include(if: $manage) {
        id
        startsAt
        endsAt
        reason
        status
      }
    }
  }
`);

/** The account as the Services page reads it. */
export type Account = NonNullable<ServicesQuery["account"]>;

export default function Services() {
  const me = useMe();
  const manage = can(me, "MANAGE_SERVICES");
  const { data, error, loading, reload } = useQuery(ServicesPageQuery, { manage });
  const account = data?.account;

  return (
    <Page title="Services">
      <Errors messages={[error]} />
      {loading && !account && <Loading />}
      {account && (
        <>
          <section className="card" aria-labelledby="svc-list">
            <h2 id="svc-list">Your services</h2>
            {account.services && account.services.length > 0 ? (
              <ul className="plain">
                {account.services.map((service) => (
                  <li key={service.id}>
                    <strong>{service.plan}</strong> ({serviceKindName(service.kind)}), {service.monthlyPrice.formatted} a month
                    {service.dataUsage ? (
                      <UsageDetail usage={service.dataUsage} plan={service.plan} />
                    ) : manage && service.kind === "INTERNET" ? (
                      <p className="usage">Unlimited data: this service is not metered.</p>
                    ) : null}
                  </li>
                ))}
              </ul>
            ) : (
              <p>No services yet.</p>
            )}
          </section>
          {manage ? (
            <>
              <Appointments account={account} onChanged={reload} />
              <OutageReport account={account} />
            </>
          ) : (
            <NotAllowed>
              Your access to this account does not include data usage, appointments or outage reports. The account's
              primary member can give it to you.
            </NotAllowed>
          )}
        </>
      )}
    </Page>
  );
}

/** This period's usage against the allowance, in words (with the share used) and as a meter. */
function UsageDetail({ usage, plan }: { usage: { periodStart: string; usedBytes: number; allowanceBytes: number | null }; plan: string }) {
  const since = calendarDate(usage.periodStart);
  const allowance = usage.allowanceBytes;
  if (allowance == null || allowance <= 0) {
    return <p className="usage">Data used since {since}: {bytes(usage.usedBytes)} (no limit)</p>;
  }
  const percent = Math.round((usage.usedBytes / allowance) * 100);
  return (
    <div className="usage">
      <p>
        Data used since {since}: {bytes(usage.usedBytes)} of {bytes(allowance)} ({percent}%)
        {percent >= 100 ? ". You have used all of this period's allowance." : ""}
      </p>
      <meter min={0} max={allowance} value={Math.min(usage.usedBytes, allowance)} aria-label={`Data used on ${plan}`} />
    </div>
  );
}
