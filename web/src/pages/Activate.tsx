import { useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useMutation } from "../api/hooks";
import { splitErrors } from "../api/messages";
import { Field, PasswordRules } from "../components/Field";
import { Alert, Errors } from "../components/Notice";
import { Page } from "../components/Page";
import { graphql } from "../gql";
import { useSession } from "../session/SessionProvider";

const ActivateMutation = graphql(`
  mutation ActivateMember($input: ActivateMemberInput!) {
    activateMember(input: $input) {
      member {
        id
      }
      errors {
        code
        field
        message
      }
    }
  }
`);

const FIELDS = ["username", "password", "securityQuestion", "securityAnswer"] as const;
type FieldName = (typeof FIELDS)[number];

export default function Activate() {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const navigate = useNavigate();
  const { signedIn } = useSession();
  const activate = useMutation(ActivateMutation);
  const [values, setValues] = useState<Record<FieldName, string>>({
    username: "",
    password: "",
    securityQuestion: "",
    securityAnswer: "",
  });
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [linkDead, setLinkDead] = useState(false);

  const set = (name: FieldName) => (event: React.ChangeEvent<HTMLInputElement>) =>
    setValues((current) => ({ ...current, [name]: event.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const missing: Partial<Record<FieldName, string>> = {};
    if (!values.username.trim()) missing.username = "Choose a username.";
    if (!values.password) missing.password = "Choose a password.";
    if (!values.securityQuestion.trim()) missing.securityQuestion = "Write a question only you can answer.";
    if (!values.securityAnswer.trim()) missing.securityAnswer = "Give the answer to your question.";
    setGeneral([]);
    setFieldErrors(missing);
    if (Object.keys(missing).length > 0) return;
    const data = await activate.run({
      input: {
        token,
        username: values.username.trim(),
        password: values.password,
        securityQuestion: values.securityQuestion.trim(),
        securityAnswer: values.securityAnswer,
      },
    });
    if (!data) return;
    const payload = data.activateMember;
    if (payload.member) {
      if (await signedIn()) navigate("/", { replace: true });
      else setGeneral(["Your account was created, but we could not load it. Please sign in."]);
      return;
    }
    if (payload.errors.some((error) => error.code === "INVALID_TOKEN")) {
      setLinkDead(true);
      return;
    }
    const split = splitErrors(payload.errors, FIELDS);
    setFieldErrors(split.byField);
    setGeneral(split.general);
  };

  if (!token || linkDead) {
    return (
      <Page title="Create your account" narrow>
        <Alert>
          {token
            ? "This activation link is not valid any more: it may have expired or been used already."
            : "This page needs the link from your welcome or invitation e-mail."}
        </Alert>
        <p>
          Ask the account's primary member to send a new invitation, or contact us for a new welcome e-mail. If you
          have already created your sign-in, <Link to="/sign-in">sign in</Link>.
        </p>
      </Page>
    );
  }

  return (
    <Page title="Create your account" narrow>
      <p>Choose how you will sign in. You will use your username and password every time.</p>
      <form onSubmit={submit} noValidate className="card">
        <Field
          label="Username"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          hint="3 to 32 letters, digits, dots, dashes or underscores. It can't be changed later."
          value={values.username}
          error={fieldErrors.username}
          onChange={set("username")}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint={<PasswordRules />}
          value={values.password}
          error={fieldErrors.password}
          onChange={set("password")}
        />
        <Field
          label="Security question"
          name="securityQuestion"
          autoComplete="off"
          hint="A question only you can answer, like “What was the name of my first school?”. We ask it when you reset your password."
          value={values.securityQuestion}
          error={fieldErrors.securityQuestion}
          onChange={set("securityQuestion")}
        />
        <Field
          label="Answer"
          name="securityAnswer"
          autoComplete="off"
          hint="Capitals and extra spaces don't matter."
          value={values.securityAnswer}
          error={fieldErrors.securityAnswer}
          onChange={set("securityAnswer")}
        />
        <Errors messages={[activate.error, ...general]} />
        <div className="actions">
          <button type="submit" disabled={activate.pending}>
            Create account
          </button>
        </div>
      </form>
    </Page>
  );
}
