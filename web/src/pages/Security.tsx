import { useState } from "react";
import { useQuery } from "../api/hooks";
import { Errors, Loading } from "../components/Notice";
import { NotAllowed, Page } from "../components/Page";
import { graphql } from "../gql";
import { can } from "../session/me";
import { useMe } from "../session/SessionProvider";
import { ActivityLog } from "./security/ActivityLog";
import { Passkeys } from "./security/Passkeys";
import { RecoveryCodes } from "./security/RecoveryCodes";
import { SessionList } from "./security/SessionList";
import { TwoFactor } from "./security/TwoFactor";

const SecurityPageQuery = graphql(`
  query Security {
    me {
      id
      twoFactorEnabled
      recoveryCodesRemaining
      passkeys {
        id
        name
        createdAt
        lastUsedAt
      }
      sessions {
        id
        createdAt
        lastSeenAt
        ipAddress
        userAgent
        current
      }
    }
    account {
      id
      timeZone
    }
  }
`);

export default function Security() {
  const me = useMe();
  const { data, error, loading, reload } = useQuery(SecurityPageQuery);
  const tz = data?.account?.timeZone;
  // What this page changes (two-factor, sessions) is logged: the activity log is read again after it.
  const [changes, setChanges] = useState(0);
  // Two-factor or a passkey was just set up: recovery codes are offered.
  const [suggestCodes, setSuggestCodes] = useState(false);
  const offerCodes = () => setSuggestCodes(true);
  const changed = () => {
    reload();
    setChanges((count) => count + 1);
  };
  return (
    <Page title="Security">
      <Errors messages={[error]} />
      {loading && !data && <Loading />}
      {data?.me && (
        <>
          <TwoFactor enabled={!!data.me.twoFactorEnabled} onChanged={changed} onTurnedOn={offerCodes} />
          <Passkeys passkeys={data.me.passkeys ?? []} timeZone={tz} onChanged={changed} onAdded={offerCodes} />
          <RecoveryCodes remaining={data.me.recoveryCodesRemaining ?? 0} suggest={suggestCodes} onChanged={changed} />
          <SessionList sessions={data.me.sessions ?? []} timeZone={tz} onChanged={changed} />
        </>
      )}
      {can(me, "VIEW_ACTIVITY") ? (
        <ActivityLog key={changes} timeZone={tz} members={can(me, "VIEW_MEMBERS")} />
      ) : (
        <NotAllowed>Your access to this account does not include its activity log.</NotAllowed>
      )}
    </Page>
  );
}
