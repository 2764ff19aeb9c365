import { useState } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { refusalText, type UserErrorShape } from "../api/messages";
import { Field, UsernameField } from "../components/Field";
import { FormActions } from "../components/FormActions";
import { Status } from "../components/Notice";
import { Page } from "../components/Page";
import { graphql } from "../gql";
import { dateTime, safeNext } from "../lib/format";
import { useMutationForm } from "../lib/useForm";
import { useSession } from "../session/SessionProvider";
import { Challenge, type SignInChallenge } from "./signin/Challenge";
import { usePasskeySignIn } from "./signin/usePasskeySignIn";

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

export function SignIn() {
  const { status, signedIn } = useSession();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const navigate = useNavigate();
  const [challenge, setChallenge] = useState<SignInChallenge | null>(null);
  // Why signing in was refused, for either form: in words, or with a link to act on it.
  const [refusal, setRefusal] = useState<React.ReactNode>(null);
  const signIn = useMutationForm(SignInMutation, { username: "", password: "" });
  const enter = async () => {
    if (await signedIn()) navigate(next, { replace: true });
    else setRefusal("You were signed in, but we could not load your account. Please reload the page.");
  };
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

  const passkey = usePasskeySignIn(status !== "signedIn" && !challenge, {
    onSignedIn: enter,
    onRefused: (errors, lockedUntil) => {
      if (errors.some((error) => error.code === "INVALID_CREDENTIALS" || error.code === "INVALID_PASSKEY"))
        setRefusal("That passkey could not sign you in: it may have been removed from your account. Sign in with your password instead.");
      else refused(errors, lockedUntil);
    },
    onFailure: setRefusal,
  });

  if (status === "signedIn") return <Navigate to={next} replace />;

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
      await enter();
    } else if (payload.challenge) {
      signIn.setValues({ password: "" });
      setChallenge(payload.challenge);
    } else {
      refused(payload.errors, payload.lockedUntil);
    }
  });

  if (challenge) {
    return (
      <Challenge
        challenge={challenge}
        refusal={refusal}
        setRefusal={setRefusal}
        onSignedIn={enter}
        onRefused={refused}
        onRestart={() => {
          setChallenge(null);
          setRefusal(null);
        }}
      />
    );
  }

  const signedOut = params.get("signedOut");
  return (
    <Page title="Sign in to your account" narrow>
      {signedOut && !refusal && !signIn.error && (
        <Status>{signedOut === "everywhere" ? "You are signed out on every device." : "You are signed out."}</Status>
      )}
      <form onSubmit={submitPassword} noValidate className="card">
        <UsernameField label="Username" autoComplete="username webauthn" {...signIn.field("username")} />
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
      {passkey.supported && (
        <div className="card passkey-sign-in">
          {/* Not "Sign in with a passkey": the form's own "Sign in" button must stay the only one named so. */}
          <p>Have a passkey for this account? Sign in with it: no username or password needed.</p>
          <button type="button" className="secondary" onClick={() => void passkey.start()} disabled={passkey.pending}>
            Use a passkey
          </button>
        </div>
      )}
      <p className="aside">
        New here? Open the link in your welcome or invitation e-mail to create your sign-in.
      </p>
    </Page>
  );
}
