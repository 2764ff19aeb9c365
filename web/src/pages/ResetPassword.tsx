import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { useMutation, useQuery } from "../api/hooks";
import { splitErrors } from "../api/messages";
import { Field, PasswordRules } from "../components/Field";
import { Alert, Errors, Loading, Status } from "../components/Notice";
import { Page } from "../components/Page";
import { graphql } from "../gql";

const ResetMutation = graphql(`
  mutation ResetPassword($input: ResetPasswordInput!) {
    resetPassword(input: $input) {
      ok
      errors {
        code
        field
        message
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

const FIELDS = ["login", "code", "securityAnswer", "newPassword"] as const;
type FieldName = (typeof FIELDS)[number];

export default function ResetPassword() {
  const [params] = useSearchParams();
  const token = params.get("token");
  const byText = !token;
  const reset = useMutation(ResetMutation);
  // The link's question, shown before the member types; null: the link is dead, said at once.
  const link = useQuery(LinkQuery, { token: token ?? "" }, byText);
  const question = link.data?.passwordResetLink?.securityQuestion;
  const [values, setValues] = useState<Record<FieldName, string>>({
    login: params.get("login") ?? "",
    code: "",
    securityAnswer: "",
    newPassword: "",
  });
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [linkDead, setLinkDead] = useState(false);
  const [done, setDone] = useState(false);

  const set = (name: FieldName) => (event: React.ChangeEvent<HTMLInputElement>) =>
    setValues((current) => ({ ...current, [name]: event.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const missing: Partial<Record<FieldName, string>> = {};
    if (byText && !values.login.trim()) missing.login = "Enter the username or e-mail you asked the reset for.";
    if (byText && !values.code.trim()) missing.code = "Enter the code from the text message.";
    if (!values.securityAnswer.trim()) missing.securityAnswer = "Give the answer to your security question.";
    if (!values.newPassword) missing.newPassword = "Choose a new password.";
    setFieldErrors(missing);
    setGeneral([]);
    if (Object.keys(missing).length > 0) return;
    const input = byText
      ? { login: values.login.trim(), code: values.code.trim(), securityAnswer: values.securityAnswer, newPassword: values.newPassword }
      : { token, securityAnswer: values.securityAnswer, newPassword: values.newPassword };
    const data = await reset.run({ input });
    if (!data) return;
    const payload = data.resetPassword;
    if (payload.ok && payload.errors.length === 0) {
      setDone(true);
      return;
    }
    if (!byText && payload.errors.some((error) => error.code === "INVALID_TOKEN")) {
      setLinkDead(true);
      return;
    }
    const split = splitErrors(
      payload.errors.map((error) => (error.field === "token" && byText ? { ...error, field: "code" } : error)),
      FIELDS,
    );
    setFieldErrors(split.byField);
    setGeneral(split.general);
  };

  if (done) {
    return (
      <Page title="Choose a new password" narrow>
        <Status>Your password has been changed, and every other device has been signed out. You can sign in now.</Status>
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
            <Field
              label="Username or e-mail"
              name="login"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              value={values.login}
              error={fieldErrors.login}
              onChange={set("login")}
            />
            <Field
              label="Code"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              value={values.code}
              error={fieldErrors.code}
              onChange={set("code")}
            />
          </>
        )}
        <Field
          label="Answer"
          name="securityAnswer"
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
          value={values.securityAnswer}
          error={fieldErrors.securityAnswer}
          onChange={set("securityAnswer")}
        />
        <Field
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          hint={<PasswordRules />}
          value={values.newPassword}
          error={fieldErrors.newPassword}
          onChange={set("newPassword")}
        />
        <Errors messages={[link.error, reset.error, ...general]} />
        <div className="actions">
          <button type="submit" disabled={reset.pending}>
            Reset password
          </button>
          {byText && <Link to="/forgot-password">Send a new code</Link>}
        </div>
      </form>
    </Page>
  );
}
