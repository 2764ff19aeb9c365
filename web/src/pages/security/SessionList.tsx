import { useState } from "react";
import { useNavigate } from "react-router";
import { useMutation } from "../../api/hooks";
import { refusalText } from "../../api/messages";
import { FlashSlot, useFlash } from "../../components/Flash";
import { Errors } from "../../components/Notice";
import { graphql } from "../../gql";
import type { SecurityQuery } from "../../gql/graphql";
import { describeAgent } from "../../lib/agent";
import { dateTime } from "../../lib/format";
import { useSession } from "../../session/SessionProvider";

const RevokeSession = graphql(`
  mutation RevokeSession($id: ID!) {
    revokeSession(id: $id) {
      ok
      errors {
        ...UserErrorFields
      }
    }
  }
`);

const SignOutEverywhere = graphql(`
  mutation SignOutEverywhere {
    signOutEverywhere {
      ok
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export type Sessions = NonNullable<NonNullable<SecurityQuery["me"]>["sessions"]>;

export function SessionList({ sessions, timeZone, onChanged }: { sessions: Sessions; timeZone: string | undefined; onChanged: () => void }) {
  const { forget } = useSession();
  const navigate = useNavigate();
  const flash = useFlash();
  const revoke = useMutation(RevokeSession);
  const everywhere = useMutation(SignOutEverywhere);
  const [refusal, setRefusal] = useState<string | null>(null);
  const ordered = [...sessions].sort((a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt.localeCompare(a.lastSeenAt));

  const revokeOne = async (id: string, what: string) => {
    flash.clear();
    setRefusal(null);
    const data = await revoke.run({ id });
    if (!data) return;
    if (data.revokeSession.errors.length > 0) {
      setRefusal(refusalText(data.revokeSession.errors));
      return;
    }
    flash.confirm(`${what} is signed out.`);
    onChanged();
  };

  const leaveEverywhere = async () => {
    const data = await everywhere.run();
    if (!data) return;
    if (data.signOutEverywhere.errors.length > 0) {
      setRefusal(refusalText(data.signOutEverywhere.errors));
      return;
    }
    forget("everywhere");
    navigate("/sign-in?signedOut=everywhere", { replace: true });
  };

  return (
    <section className="card" aria-labelledby="sec-sessions">
      <h2 id="sec-sessions">Where you are signed in</h2>
      <FlashSlot message={flash.message} />
      <Errors messages={[revoke.error, everywhere.error, refusal]} />
      <ul className="plain">
        {ordered.map((session) => {
          const what = describeAgent(session.userAgent);
          return (
            <li key={session.id} className="session">
              <div>
                <strong>{what}</strong> {session.current && <span className="badge badge-ok">This device</span>}
                <br />
                <span className="aside">
                  {session.ipAddress ? `From ${session.ipAddress}. ` : ""}Signed in {dateTime(session.createdAt, timeZone)}, last
                  active {dateTime(session.lastSeenAt, timeZone)}.
                </span>
              </div>
              {!session.current && (
                <button type="button" className="secondary small" onClick={() => void revokeOne(session.id, what)} disabled={revoke.pending}>
                  Sign out
                </button>
              )}
            </li>
          );
        })}
      </ul>
      <p>If you think someone else knows your password, change it in Settings and sign out everywhere.</p>
      <button type="button" className="danger-secondary" onClick={() => void leaveEverywhere()} disabled={everywhere.pending}>
        Sign out everywhere
      </button>
    </section>
  );
}
