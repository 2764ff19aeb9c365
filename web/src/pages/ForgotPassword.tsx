import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { useMutation } from "../api/hooks";
import { Field } from "../components/Field";
import { Errors, Status } from "../components/Notice";
import { Page } from "../components/Page";
import { graphql } from "../gql";
import type { Channel } from "../gql/graphql";

const RequestReset = graphql(`
  mutation RequestPasswordReset($input: RequestPasswordResetInput!) {
    requestPasswordReset(input: $input) {
      ok
      errors {
        code
        field
        message
      }
    }
  }
`);

export default function ForgotPassword() {
  const [login, setLogin] = useState("");
  const [channel, setChannel] = useState<Channel>("EMAIL");
  const [loginError, setLoginError] = useState<string | null>(null);
  const [sent, setSent] = useState<Channel | null>(null);
  const reset = useMutation(RequestReset);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setLoginError(null);
    if (!login.trim()) {
      setLoginError("Enter your username or the e-mail address on your sign-in.");
      return;
    }
    const data = await reset.run({ input: { login: login.trim(), channel } });
    // The same answer whether or not the login exists: nothing here tells who has a sign-in.
    if (data) setSent(channel);
  };

  return (
    <Page title="Forgot your password?" narrow>
      <p>Tell us who you are and how to reach you. We will send you a way to choose a new password.</p>
      <form onSubmit={submit} noValidate className="card">
        <Field
          label="Username or e-mail"
          name="login"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          value={login}
          error={loginError}
          onChange={(event) => setLogin(event.target.value)}
        />
        <fieldset className="choice">
          <legend>Send it by</legend>
          <label>
            <input type="radio" name="channel" value="EMAIL" checked={channel === "EMAIL"} onChange={() => setChannel("EMAIL")} />{" "}
            E-mail
          </label>
          <label>
            <input type="radio" name="channel" value="SMS" checked={channel === "SMS"} onChange={() => setChannel("SMS")} />{" "}
            Text message
          </label>
        </fieldset>
        <Errors messages={[reset.error]} />
        {sent && (
          <Status>
            If we have a sign-in with that username or e-mail, we have sent{" "}
            {sent === "SMS" ? "a code by text message to its phone" : "a link to its e-mail address"}. It can take a
            minute to arrive.
            {sent === "SMS" && (
              <>
                {" "}
                <Link to={`/reset-password?login=${encodeURIComponent(login.trim())}`}>Enter the code</Link>
              </>
            )}
          </Status>
        )}
        <div className="actions">
          <button type="submit" disabled={reset.pending}>
            Send
          </button>
          <Link to="/sign-in">Back to sign in</Link>
        </div>
      </form>
    </Page>
  );
}
