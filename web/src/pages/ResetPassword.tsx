import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { useQuery } from "../api/hooks";
import { CodeField, Field, PasswordRules, UsernameField } from "../components/Field";
import { FormActions } from "../components/FormActions";
import { Alert, Loading, Status } from "../components/Notice";
import { Page } from "../components/Page";
import { graphql } from "../gql";
import { useMutationForm } from "../lib/useForm";

const ResetMutation = graphql(`
  mutation ResetPassword($input: ResetPasswordInput!) {
    resetPassword(input: $input) {
      ok
      errors {
        ...UserErrorFields
      }
    }
  }
`);

const LinkQuery = graphql(`
  query PasswordResetLink($token: String!) {
    passwordResetLink(token: $token) {
      securityQuestion
    }
  }
`);

export default function ResetPassword() {
  const [params] = useSearchParams();
  const token = params.get("token");
  const byText = !token;
  // The link's question, shown before the member types; null: the link is dead, said at once.
  const link = useQuery(LinkQuery, { token: token ?? "" }, byText);
  const question = link.data?.passwordResetLink?.securityQuestion;
  const form = useMutationForm(ResetMutation, {
    login: params.get("login") ?? "",
    code: "",
    securityAnswer: "",
    newPassword: "",
    recoveryCode: "",
  });
  // Lost the phone too: the reset also turns two-factor off, with one of the member's recovery codes.
  const [turnOff, setTurnOff] = useState(false);
  const [linkDead, setLinkDead] = useState(false);
  const [done, setDone] = useState<"password" | "twoFactorOff" | null>(null);

  const submit = form.onSubmit(async (values) => {
    const fine = form.check({
      login: byText && !values.login.trim() && "Enter the username or e-mail you asked the reset for.",
      code: byText && !values.code.trim() && "Enter the code from the text message.",
      securityAnswer: !values.securityAnswer.trim() && "Give the answer to your security question.",
      newPassword: !values.newPassword && "Choose a new password.",
      recoveryCode: turnOff && !values.recoveryCode.trim() && "Enter one of your recovery codes.",
    });
    if (!fine) return;
    const twoFactor = turnOff ? { turnOffTwoFactor: true, recoveryCode: values.recoveryCode.trim() } : {};
    const input = byText
      ? { login: values.login.trim(), code: values.code.trim(), securityAnswer: values.securityAnswer, newPassword: values.newPassword, ...twoFactor }
      : { token, securityAnswer: values.securityAnswer, newPassword: values.newPassword, ...twoFactor };
    const data = await form.run({ input });
    if (!data) return;
    const payload = data.resetPassword;
    if (payload.ok && payload.errors.length === 0) {
      setDone(turnOff ? "twoFactorOff" : "password");
      return;
    }
    if (!byText && payload.errors.some((error) => error.code === "INVALID_TOKEN")) {
      setLinkDead(true);
      return;
    }
    // A texted code travels as the reset's token.
    form.refuse(
      payload.errors.map((error) =>
        error.field === "token" && byText
          ? { ...error, field: "code" }
          : error.field === "recoveryCode" && error.code === "INVALID_CODE"
            ? { ...error, code: "WRONG_RECOVERY_CODE" }
            : error,
      ),
      { WRONG_RECOVERY_CODE: "That recovery code is not right, or it has been used already. Check it, or try another." },
    );
  });

  if (done) {
    return (
      <Page title="Choose a new password" narrow>
        <Status>
          Your password has been changed, and every other device has been signed out.
          {done === "twoFactorOff" ? " Two-factor sign-in is off: set it up again on the Security page once you are in." : ""} You
          can sign in now.
        </Status>
        <p>
          <Link to="/sign-in">Sign in</Link>
        </p>
      </Page>
    );
  }

  if (!byText && link.loading) {
    return (
      <Page title="Choose a new password" narrow>
        <Loading />
      </Page>
    );
  }

  if (linkDead || (!byText && link.data && !link.data.passwordResetLink)) {
    return (
      <Page title="Choose a new password" narrow>
        <Alert>This reset link is not valid any more: it may have expired or been used already.</Alert>
        <p>
          <Link to="/forgot-password">Ask for a new link</Link>
        </p>
      </Page>
    );
  }

  return (
    <Page title="Choose a new password" narrow>
      <p>
        {byText
          ? "Enter the code we texted you, with the username or e-mail you asked the reset for."
          : "You opened the link from our e-mail. Answer your security question and choose a new password."}
      </p>
      <form onSubmit={submit} noValidate className="card">
        {byText && (
          <>
            <UsernameField label="Username or e-mail" {...form.field("login")} />
            <CodeField {...form.field("code")} />
          </>
        )}
        <Field
          label="Answer"
          autoComplete="off"
          hint={
            question ? (
              <>
                Your security question: <strong>{question}</strong> Capitals and extra spaces don't matter.
              </>
            ) : (
              "The answer to your security question, the one you chose when you created your sign-in. Capitals and extra spaces don't matter."
            )
          }
          {...form.field("securityAnswer")}
        />
        <Field
          label="New password"
          type="password"
          autoComplete="new-password"
          hint={<PasswordRules />}
          {...form.field("newPassword")}
        />
        <label className="check">
            <input type="checkbox" checked={turnOff} onChange={(event) => setTurnOff(event.target.checked)} /> Also turn off
            two-factor sign-in (I lost my phone or authenticator app)
          </label>
        {turnOff && (
          <Field
            label="Recovery code"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            hint="One of the recovery codes you saved, like k7m2p-x9qrt. Without one, reset your password alone and call customer support (the number is on your bill)."
            {...form.field("recoveryCode")}
          />
        )}
        <FormActions messages={[link.error, ...form.messages]} pending={form.pending} submit="Reset password">
          {byText && <Link to="/forgot-password">Send a new code</Link>}
        </FormActions>
      </form>
    </Page>
  );
}
