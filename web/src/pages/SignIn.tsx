import { useState, type FormEvent } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { useMutation } from "../api/hooks";
import { splitErrors } from "../api/messages";
import { Field } from "../components/Field";
import { Alert, Errors, Status } from "../components/Notice";
import { Page } from "../components/Page";
import { graphql } from "../gql";
import { dateTime, safeNext } from "../lib/format";
import { useSession } from "../session/SessionProvider";

const SignInMutation = graphql(`
  mutation SignIn($input: SignInInput!) {
    signIn(input: $input) {
      member {
        id
      }
      challenge {
        id
        channels
        sentTo
      }
      lockedUntil
      errors {
        code
        field
        message
      }
    }
  }
`);

const VerifySignInMutation = graphql(`
  mutation VerifySignIn($input: VerifySignInInput!) {
    verifySignIn(input: $input) {
      member {
        id
      }
      lockedUntil
      errors {
        code
        field
        message
      }
    }
  }
`);

interface Challenge {
  id: string;
  channels: readonly string[];
  sentTo: string | null;
}

export function SignIn() {
  const { status, signedIn } = useSession();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const navigate = useNavigate();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [refusal, setRefusal] = useState<React.ReactNode>(null);
  const [codeError, setCodeError] = useState<string | null>(null);
  const signIn = useMutation(SignInMutation);
  const verify = useMutation(VerifySignInMutation);

  if (status === "signedIn") return <Navigate to={next} replace />;

  const refused = (errors: readonly { code: string; field: string | null; message: string }[], lockedUntil: string | null) => {
    if (errors.some((error) => error.code === "ACCOUNT_LOCKED")) {
      setRefusal(
        <>
          <p>
            Too many wrong passwords: signing in is locked
            {lockedUntil ? <> until {dateTime(lockedUntil)}</> : " for a while"}.
          </p>
          <p>We have sent an e-mail with a link that unlocks your account now, to the address we have for you.</p>
        </>,
      );
    } else if (errors.some((error) => error.code === "ACCOUNT_DISABLED")) {
      setRefusal(
        <p>
          You can't sign in with this username now. If you secured your account after a sign-in you did not recognise,{" "}
          <Link to="/forgot-password">reset your password</Link> to use it again. Otherwise, contact us.
        </p>,
      );
    } else {
      setRefusal(splitErrors(errors, []).general.join(" "));
    }
  };

  const submitPassword = async (event: FormEvent) => {
    event.preventDefault();
    setRefusal(null);
    if (!username.trim() || !password) {
      setRefusal("Enter your username and your password.");
      return;
    }
    const data = await signIn.run({ input: { username: username.trim(), password } });
    if (!data) return;
    const payload = data.signIn;
    if (payload.member) {
      if (await signedIn()) navigate(next, { replace: true });
      else setRefusal("You were signed in, but we could not load your account. Please reload the page.");
    } else if (payload.challenge) {
      setPassword("");
      setChallenge(payload.challenge);
    } else {
      refused(payload.errors, payload.lockedUntil);
    }
  };

  const submitCode = async (event: FormEvent) => {
    event.preventDefault();
    setRefusal(null);
    setCodeError(null);
    if (!challenge) return;
    if (!code.trim()) {
      setCodeError("Enter the code.");
      return;
    }
    const data = await verify.run({ input: { challengeId: challenge.id, code: code.trim() } });
    if (!data) return;
    const payload = data.verifySignIn;
    if (payload.member) {
      if (await signedIn()) navigate(next, { replace: true });
      else setRefusal("You were signed in, but we could not load your account. Please reload the page.");
      return;
    }
    // An authenticator app's code cannot be asked for again: it changes every 30 seconds.
    const overrides: Record<string, string> = challenge.channels.includes("TOTP")
      ? { INVALID_CODE: "That code is not right. Enter the code your authenticator app shows now." }
      : {};
    const { byField, general } = splitErrors(payload.errors, ["code"], overrides);
    setCodeError(byField.code ?? null);
    if (general.length > 0) refused(payload.errors.filter((error) => error.field !== "code"), payload.lockedUntil);
  };

  if (challenge) {
    const totp = challenge.channels.includes("TOTP");
    return (
      <Page title="Enter your code" narrow>
        {totp ? (
          <p>Open your authenticator app and enter the six-digit code it shows for this account.</p>
        ) : (
          <Status>
            We don't recognise this device, so we sent a six-digit code to {challenge.sentTo ?? "you"}. It can
            take a minute to arrive.
          </Status>
        )}
        <form onSubmit={submitCode} noValidate className="card">
          <Field
            label="Code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            autoFocus
            value={code}
            error={codeError}
            onChange={(event) => setCode(event.target.value)}
          />
          <Errors messages={[verify.error]} />
          {refusal && <Alert>{refusal}</Alert>}
          <div className="actions">
            <button type="submit" disabled={verify.pending}>
              Verify
            </button>
            <button
              type="button"
              className="link-button"
              onClick={() => {
                setChallenge(null);
                setCode("");
                setCodeError(null);
                setRefusal(null);
              }}
            >
              Start again
            </button>
          </div>
        </form>
      </Page>
    );
  }

  const signedOut = params.get("signedOut");
  return (
    <Page title="Sign in to your account" narrow>
      {signedOut && !refusal && !signIn.error && (
        <Status>{signedOut === "everywhere" ? "You are signed out on every device." : "You are signed out."}</Status>
      )}
      <form onSubmit={submitPassword} noValidate className="card">
        <Field
          label="Username"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          value={username}
          onChange={(event) => setUsername(event.target.value)}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <Errors messages={[signIn.error]} />
        {refusal && <Alert>{refusal}</Alert>}
        <div className="actions">
          <button type="submit" disabled={signIn.pending}>
            Sign in
          </button>
          <Link to="/forgot-password">Forgot password?</Link>
        </div>
      </form>
      <p className="aside">
        New here? Open the link in your welcome or invitation e-mail to create your sign-in.
      </p>
    </Page>
  );
}
