import { useState } from "react";
import { request } from "../../api/client";
import { useQuery } from "../../api/hooks";
import { requestErrorMessage } from "../../api/messages";
import { Errors, Loading } from "../../components/Notice";
import { graphql } from "../../gql";
import { dateTime } from "../../lib/format";

const ActivityQuery = graphql(`
  query Activity($after: String, $members: Boolean!) {
    account {
      id
      activity(first: 20, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            id
            at
            kind
            summary
            ipAddress
            actor @include(if: $members) {
              id
              displayName
            }
          }
        }
      }
    }
  }
`);

type ActivityEdge = NonNullable<NonNullable<import("../../gql/graphql").ActivityQuery["account"]>["activity"]>["edges"][number];

export function ActivityLog({ timeZone, members }: { timeZone: string | undefined; members: boolean }) {
  const first = useQuery(ActivityQuery, { after: null, members });
  const [more, setMore] = useState<ActivityEdge[]>([]);
  const [cursor, setCursor] = useState<{ hasNextPage: boolean; endCursor: string | null } | null>(null);
  const [moreError, setMoreError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const connection = first.data?.account?.activity;
  const page = cursor ?? connection?.pageInfo ?? null;
  const edges = [...(connection?.edges ?? []), ...more];

  const loadMore = async () => {
    if (!page?.endCursor) return;
    setBusy(true);
    setMoreError(null);
    try {
      const data = await request(ActivityQuery, { after: page.endCursor, members });
      const next = data.account?.activity;
      if (next) {
        setMore((current) => [...current, ...next.edges]);
        setCursor(next.pageInfo);
      }
    } catch (failure) {
      setMoreError(requestErrorMessage(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="sec-activity">
      <h2 id="sec-activity">Activity</h2>
      <Errors messages={[first.error, moreError]} />
      {first.loading && !connection && <Loading />}
      {connection && (
        <>
          <p className="aside">
            Sign-ins, changes and payments on this account: {connection.totalCount} in all, newest first.
          </p>
          <div className="table-wrap">
            <table className="stack-small">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">What</th>
                  <th scope="col">Who</th>
                  <th scope="col">From</th>
                </tr>
              </thead>
              <tbody>
                {edges.map(({ node }) => (
                  <tr key={node.id}>
                    <td data-label="When">{dateTime(node.at, timeZone)}</td>
                    <td data-label="What">{node.summary}</td>
                    <td data-label="Who">{node.actor?.displayName ?? (members ? "System" : "—")}</td>
                    <td data-label="From">{node.ipAddress ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {page?.hasNextPage && (
            <p>
              <button type="button" className="secondary" onClick={() => void loadMore()} disabled={busy}>
                Show older activity
              </button>
            </p>
          )}
        </>
      )}
    </section>
  );
}
