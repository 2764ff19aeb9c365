import { useState } from "react";
import { Link } from "react-router";
import { RadioField, UsernameField } from "../components/Field";
import { FormActions } from "../components/FormActions";
import { Page } from "../components/Page";
import { graphql } from "../gql";
import type { Channel } from "../gql/graphql";
import { useMutationForm } from "../lib/useForm";

const RequestReset = graphql(`
  mutation RequestPasswordReset($input: RequestPasswordResetInput!) {
    requestPasswordReset(input: $input) {
      ok
      errors {
        ...UserErrorFields
      }
    }
  }
`);

const CHANNELS: ReadonlyArray<{ value: Channel; label: string }> = [
  { value: "EMAIL", label: "E-mail" },
  { value: "SMS", label: "Text message" },
];

export default function ForgotPassword() {
  const form = useMutationForm(RequestReset, { login: "", channel: "EMAIL" as Channel });
  const { login } = form.values;
  const [sent, setSent] = useState<Channel | null>(null);

  const submit = form.onSubmit(async (values) => {
    if (!form.check({ login: !values.login.trim() && "Enter your username or the e-mail address on your sign-in." })) return;
    const data = await form.run({ input: { login: values.login.trim(), channel: values.channel } });
    // The same answer whether or not the login exists: nothing here tells who has a sign-in.
    if (!data || form.refuse(data.requestPasswordReset.errors)) return;
    setSent(values.channel);
  });

  return (
    <Page title="Forgot your password?" narrow>
      <p>Tell us who you are and how to reach you. We will send you a way to choose a new password.</p>
      <form onSubmit={submit} noValidate className="card">
        <UsernameField label="Username or e-mail" {...form.field("login")} />
        <RadioField legend="Send it by" options={CHANNELS} {...form.field("channel")} />
        <FormActions
          messages={form.messages}
          pending={form.pending}
          submit="Send"
          status={
            sent && (
              <>
                If we have a sign-in with that username or e-mail, we have sent{" "}
                {sent === "SMS" ? "a code by text message to its phone" : "a link to its e-mail address"}. It can take a
                minute to arrive.
                {sent === "SMS" && (
                  <>
                    {" "}
                    <Link to={`/reset-password?login=${encodeURIComponent(login.trim())}`}>Enter the code</Link>
                  </>
                )}
              </>
            )
          }
        >
          <Link to="/sign-in">Back to sign in</Link>
        </FormActions>
      </form>
    </Page>
  );
}
