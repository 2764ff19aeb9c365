import { useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useQuery } from "../api/hooks";
import { Field, PasswordRules, UsernameField } from "../components/Field";
import { FormActions } from "../components/FormActions";
import { Alert, Loading } from "../components/Notice";
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

const LinkQuery = graphql(`
  query ActivationLink($token: String!) {
    activationLink(token: $token) {
      displayName
      accountName
    }
  }
`);

export default function Activate() {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  // Checked as the page opens (without using the link up): a dead link says so before anything is typed.
  const link = useQuery(LinkQuery, { token }, !token);
  const invitation = link.data?.activationLink;
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

  if (token && link.loading) {
    return (
      <Page title="Create your account" narrow>
        <Loading />
      </Page>
    );
  }

  if (!token || linkDead || (link.data && !invitation)) {
    return (
      <Page title="Create your account" narrow>
        <Alert>
          {token
            ? "This link has expired or was already used."
            : "This page needs the link from your welcome or invitation e-mail."}
        </Alert>
        <p>
          If you have already created your sign-in, <Link to="/sign-in">sign in</Link> (or{" "}
          <Link to="/forgot-password">reset your password</Link> if you forgot it).
        </p>
        <p>
          Otherwise, ask the account's primary member to send you a new invitation from Manage users, or contact
          us for a new welcome e-mail. A new link works for 72 hours.
        </p>
      </Page>
    );
  }

  return (
    <Page title="Create your account" narrow>
      {invitation && (
        <p>
          Welcome, {invitation.displayName}: this creates your sign-in for {invitation.accountName}.
        </p>
      )}
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
