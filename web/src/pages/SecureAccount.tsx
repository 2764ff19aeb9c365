import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { FormActions } from "../components/FormActions";
import { Alert, Status } from "../components/Notice";
import { Page } from "../components/Page";
import { graphql } from "../gql";
import { useMutationForm } from "../lib/useForm";
import { useSession } from "../session/SessionProvider";

const SecureMutation = graphql(`
  mutation SecureAccount($token: String!) {
    secureAccount(token: $token) {
      ok
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export default function SecureAccount() {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const secure = useMutationForm(SecureMutation, {});
  const { forget } = useSession();
  const [result, setResult] = useState<"done" | "dead" | null>(null);

  const submit = secure.onSubmit(async () => {
    const data = await secure.run({ token });
    if (!data) return;
    const ok = data.secureAccount.ok && data.secureAccount.errors.length === 0;
    setResult(ok ? "done" : "dead");
    // Every session has ended, this browser's too.
    if (ok) forget("everywhere");
  });

  return (
    <Page title="Secure your account" narrow>
      {result === "done" ? (
        <>
          <Status>
            Your account is secured: every device that was signed in has been signed out, and signing in is blocked
            until you choose a new password.
          </Status>
          <p>
            <Link to="/forgot-password">Reset your password</Link>
          </p>
        </>
      ) : result === "dead" || !token ? (
        <Alert>
          {token
            ? "This link is not valid any more: it may have expired or been used already. If you still think someone else signed in, reset your password."
            : "This page needs the link from the new sign-in e-mail we sent you."}
        </Alert>
      ) : (
        <form onSubmit={submit}>
          <p>We e-mailed you because someone signed in to your account from a new device.</p>
          <p>
            If that was not you, secure your account: we will sign out every device, including this one, and block
            signing in until you reset your password. If it was you, you can close this page.
          </p>
          <FormActions messages={secure.messages} pending={secure.pending} submit="Secure my account" danger />
        </form>
      )}
    </Page>
  );
}
