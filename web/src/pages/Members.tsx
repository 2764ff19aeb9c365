import { useQuery } from "../api/hooks";
import { FlashSlot, useFlash } from "../components/Flash";
import { Errors, Loading } from "../components/Notice";
import { NotAllowed, Page } from "../components/Page";
import { graphql } from "../gql";
import { can } from "../session/me";
import { useMe } from "../session/SessionProvider";
import { InviteForm } from "./members/InviteForm";
import { MemberRow } from "./members/MemberRow";

const MembersPageQuery = graphql(`
  query Members($manage: Boolean!) {
    account {
      id
      timeZone
      members(first: 50) {
        totalCount
        edges {
          node {
            id
            username
            displayName
            email @include(if: $manage)
            phone @include(if: $manage)
            role
            status
            permissions
            lastSignInAt
            twoFactorEnabled @include(if: $manage)
          }
        }
      }
    }
  }
`);

export default function Members() {
  const me = useMe();
  const manage = can(me, "MANAGE_MEMBERS");
  const view = manage || can(me, "VIEW_MEMBERS");
  const { data, error, loading, reload } = useQuery(MembersPageQuery, { manage }, !view);
  const account = data?.account;
  // Rows confirm here, above the list: a removed user's row is gone once the list reloads.
  const listFlash = useFlash();

  return (
    <Page title="Manage users">
      {!manage && (
        <NotAllowed>
          Only the account's primary member can add users or change their access.
          {view ? " You can see who else uses this account." : ""}
        </NotAllowed>
      )}
      <Errors messages={[error]} />
      {manage && (
        <InviteForm onInvited={reload} />
      )}
      {view && loading && !account && <Loading />}
      {view && account?.members && (
        <section className="card" aria-labelledby="members-list">
          <h2 id="members-list">Users of this account</h2>
          <FlashSlot message={listFlash.message} />
          <ul className="plain">
            {account.members.edges.map(({ node }) => (
              <MemberRow
                key={node.id}
                member={node}
                self={node.id === me.id}
                manage={manage}
                timeZone={account.timeZone}
                onChanged={(message) => {
                  listFlash.confirm(message);
                  reload();
                }}
                onBusy={listFlash.clear}
              />
            ))}
          </ul>
        </section>
      )}
    </Page>
  );
}
