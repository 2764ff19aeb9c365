import { useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { Field, PasswordRules, UsernameField } from "../components/Field";
import { FormActions } from "../components/FormActions";
import { Alert } from "../components/Notice";
import { Page } from "../components/Page";
import { graphql } from "../gql";
import { useMutationForm } from "../lib/useForm";
import { useSession } from "../session/SessionProvider";

const ActivateMutation = graphql(`
  mutation ActivateMember($input: ActivateMemberInput!) {
    activateMember(input: $input) {
      member {
        id
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export default function Activate() {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const navigate = useNavigate();
  const { signedIn } = useSession();
  const form = useMutationForm(ActivateMutation, {
    username: "",
    password: "",
    securityQuestion: "",
    securityAnswer: "",
  });
  const [linkDead, setLinkDead] = useState(false);

  const submit = form.onSubmit(async (values) => {
    const fine = form.check({
      username: !values.username.trim() && "Choose a username.",
      password: !values.password && "Choose a password.",
      securityQuestion: !values.securityQuestion.trim() && "Write a question only you can answer.",
      securityAnswer: !values.securityAnswer.trim() && "Give the answer to your question.",
    });
    if (!fine) return;
    const data = await form.run({
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
      else form.setGeneral(["Your account was created, but we could not load it. Please sign in."]);
      return;
    }
    if (payload.errors.some((error) => error.code === "INVALID_TOKEN")) setLinkDead(true);
    else form.refuse(payload.errors);
  });

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
        <UsernameField
          label="Username"
          hint="3 to 32 letters, digits, dots, dashes or underscores. It can't be changed later."
          {...form.field("username")}
        />
        <Field
          label="Password"
          type="password"
          autoComplete="new-password"
          hint={<PasswordRules />}
          {...form.field("password")}
        />
        <Field
          label="Security question"
          autoComplete="off"
          hint="A question only you can answer, like “What was the name of my first school?”. We ask it when you reset your password."
          {...form.field("securityQuestion")}
        />
        <Field
          label="Answer"
          autoComplete="off"
          hint="Capitals and extra spaces don't matter."
          {...form.field("securityAnswer")}
        />
        <FormActions messages={form.messages} pending={form.pending} submit="Create account" />
      </form>
    </Page>
  );
}
