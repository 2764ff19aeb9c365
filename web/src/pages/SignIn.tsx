import { useState } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { refusalText, type UserErrorShape } from "../api/messages";
import { CodeField, Field, UsernameField } from "../components/Field";
import { FormActions } from "../components/FormActions";
import { Status } from "../components/Notice";
import { Page } from "../components/Page";
import { graphql } from "../gql";
import { dateTime, safeNext } from "../lib/format";
import { useMutationForm } from "../lib/useForm";
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
        ...UserErrorFields
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
        ...UserErrorFields
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
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  // Why signing in was refused, for either form: in words, or with a link to act on it.
  const [refusal, setRefusal] = useState<React.ReactNode>(null);
  const signIn = useMutationForm(SignInMutation, { username: "", password: "" });
  const verify = useMutationForm(VerifySignInMutation, { code: "" });

  if (status === "signedIn") return <Navigate to={next} replace />;

  const refused = (errors: readonly UserErrorShape[], lockedUntil: string | null) => {
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
      setRefusal(refusalText(errors));
    }
  };

  const submitPassword = signIn.onSubmit(async ({ username, password }) => {
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
      signIn.setValues({ password: "" });
      setChallenge(payload.challenge);
    } else {
      refused(payload.errors, payload.lockedUntil);
    }
  });

  const submitCode = verify.onSubmit(async ({ code }) => {
    setRefusal(null);
    if (!verify.check({ code: !code.trim() && "Enter the code." }) || !challenge) return;
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
    verify.refuse(payload.errors, overrides);
    const others = payload.errors.filter((error) => error.field !== "code");
    if (others.length > 0) refused(others, payload.lockedUntil);
  });

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
          <CodeField autoFocus {...verify.field("code")} />
          <FormActions messages={[verify.error]} refusal={refusal} pending={verify.pending} submit="Verify">
            <button
              type="button"
              className="link-button"
              onClick={() => {
                setChallenge(null);
                verify.reset();
                setRefusal(null);
              }}
            >
              Start again
            </button>
          </FormActions>
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
        <UsernameField label="Username" {...signIn.field("username")} />
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          {...signIn.field("password")}
        />
        <FormActions messages={[signIn.error]} refusal={refusal} pending={signIn.pending} submit="Sign in">
          <Link to="/forgot-password">Forgot password?</Link>
        </FormActions>
      </form>
      <p className="aside">
        New here? Open the link in your welcome or invitation e-mail to create your sign-in.
      </p>
    </Page>
  );
}
