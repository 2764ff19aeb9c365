import { useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router";
import { request } from "../api/client";
import { useMutation, useQuery } from "../api/hooks";
import { refusalText, requestErrorMessage } from "../api/messages";
import { CodeField, Field } from "../components/Field";
import { FlashSlot, useFlash } from "../components/Flash";
import { FormActions } from "../components/FormActions";
import { Errors, Loading } from "../components/Notice";
import { NotAllowed, Page } from "../components/Page";
import { graphql } from "../gql";
import type { SecurityQuery } from "../gql/graphql";
import { describeAgent } from "../lib/agent";
import { dateTime } from "../lib/format";
import { useMutationForm } from "../lib/useForm";
import { can } from "../session/me";
import { useMe, useSession } from "../session/SessionProvider";

const SecurityPageQuery = graphql(`
  query Security {
    me {
      id
      twoFactorEnabled
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

const EnrollTotp = graphql(`
  mutation EnrollTotp {
    enrollTotp {
      secret
      otpauthUri
      errors {
        ...UserErrorFields
      }
    }
  }
`);

const ConfirmTotp = graphql(`
  mutation ConfirmTotp($code: String!) {
    confirmTotp(code: $code) {
      ok
      errors {
        ...UserErrorFields
      }
    }
  }
`);

const DisableTotp = graphql(`
  mutation DisableTotp {
    disableTotp {
      ok
      errors {
        ...UserErrorFields
      }
    }
  }
`);

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

type Sessions = NonNullable<NonNullable<SecurityQuery["me"]>["sessions"]>;

export default function Security() {
  const me = useMe();
  const { data, error, loading, reload } = useQuery(SecurityPageQuery);
  const tz = data?.account?.timeZone;
  // What this page changes (two-factor, sessions) is logged: the activity log is read again after it.
  const [changes, setChanges] = useState(0);
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
          <TwoFactor enabled={!!data.me.twoFactorEnabled} onChanged={changed} />
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

function TwoFactor({ enabled, onChanged }: { enabled: boolean; onChanged: () => void }) {
  const { refresh } = useSession();
  const [enrollment, setEnrollment] = useState<{ secret: string; uri: string } | null>(null);
  // Why setting up or turning off was refused; the code form's refusals not about the code join it.
  const [refusal, setRefusal] = useState<string | null>(null);
  const flash = useFlash();
  const enroll = useMutation(EnrollTotp);
  const confirm = useMutationForm(ConfirmTotp, { code: "" });
  const disable = useMutation(DisableTotp);

  const start = async () => {
    flash.clear();
    setRefusal(null);
    confirm.reset();
    const data = await enroll.run();
    if (!data) return;
    const payload = data.enrollTotp;
    if (payload.errors.length > 0 || !payload.secret || !payload.otpauthUri) {
      setRefusal(refusalText(payload.errors) || "Two-factor sign-in could not be set up.");
      return;
    }
    setEnrollment({ secret: payload.secret, uri: payload.otpauthUri });
  };

  const finish = confirm.onSubmit(async ({ code }) => {
    if (!confirm.check({ code: !code.trim() && "Enter the six-digit code your app shows." })) return;
    const data = await confirm.run({ code: code.trim() });
    if (!data) return;
    const payload = data.confirmTotp;
    const refused = confirm.refuse(payload.errors, {
      INVALID_CODE: "That code is not right. Check the time on your phone, and enter the code the app shows now.",
    });
    if (refused || !payload.ok) return;
    setEnrollment(null);
    confirm.reset();
    flash.confirm("Two-factor sign-in is on. When you sign in on a new device, we will ask for a code from your app.");
    onChanged();
    await refresh();
  });

  const turnOff = async () => {
    flash.clear();
    setRefusal(null);
    const data = await disable.run();
    if (!data) return;
    if (data.disableTotp.errors.length > 0) {
      setRefusal(refusalText(data.disableTotp.errors));
      return;
    }
    flash.confirm("Two-factor sign-in is off.");
    onChanged();
    await refresh();
  };

  return (
    <section className="card" aria-labelledby="sec-2fa">
      <h2 id="sec-2fa">Two-factor sign-in</h2>
      <FlashSlot message={flash.message} />
      <Errors messages={[enroll.error, confirm.error, disable.error, ...confirm.general, refusal]} />
      {enabled ? (
        <>
          <p>
            Two-factor sign-in is <strong>on</strong>: signing in on a new device needs a code from your authenticator app.
          </p>
          <button type="button" className="danger-secondary" onClick={() => void turnOff()} disabled={disable.pending}>
            Turn off two-factor
          </button>
        </>
      ) : enrollment ? (
        <form onSubmit={finish} noValidate>
          <p>Scan this code with an authenticator app (such as Google Authenticator, Microsoft Authenticator or 1Password).</p>
          <QrCode text={enrollment.uri} />
          <Field
            label="Setup key"
            name="setupKey"
            hint="Can't scan the code? Enter this key in the app instead."
            readOnly
            spellCheck={false}
            value={grouped(enrollment.secret)}
            onFocus={(event) => event.currentTarget.select()}
          />
          <CodeField hint="The six-digit code the app shows for this account." autoFocus {...confirm.field("code")} />
          {/* Its refusals are shown at the top of the section, with setting up's and turning off's. */}
          <FormActions messages={[]} pending={confirm.pending} submit="Turn on two-factor">
            <button type="button" className="secondary" onClick={() => setEnrollment(null)}>
              Cancel
            </button>
          </FormActions>
        </form>
      ) : (
        <>
          <p>
            Two-factor sign-in is <strong>off</strong>. Turn it on so that a stolen password is not enough to sign in to
            your account.
          </p>
          <button type="button" onClick={() => void start()} disabled={enroll.pending}>
            Set up two-factor
          </button>
        </>
      )}
    </section>
  );
}

/** "ABCD EFGH ...": a long key is easier to copy by hand in groups (authenticator apps ignore spaces). */
function grouped(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, "$1 ");
}

/** The otpauth:// URI as a QR code, drawn on a canvas (no data: URL, so the CSP needs no img-src data:). */
function QrCode({ text }: { text: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    void import("qrcode").then(
      (qrcode) => {
        if (live && canvas.current) qrcode.toCanvas(canvas.current, text, { width: 192, margin: 2 }, (error) => error && setFailed(true));
      },
      () => setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [text]);
  if (failed) return <p>The QR code could not be drawn; enter the key below in your app.</p>;
  return <canvas ref={canvas} className="qr" role="img" aria-label="QR code to scan with your authenticator app" />;
}

function SessionList({ sessions, timeZone, onChanged }: { sessions: Sessions; timeZone: string | undefined; onChanged: () => void }) {
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

type ActivityEdge = NonNullable<NonNullable<import("../gql/graphql").ActivityQuery["account"]>["activity"]>["edges"][number];

function ActivityLog({ timeZone, members }: { timeZone: string | undefined; members: boolean }) {
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
