import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { FormActions } from "../components/FormActions";
import { Alert, Status } from "../components/Notice";
import { Page } from "../components/Page";
import { graphql } from "../gql";
import { useMutationForm } from "../lib/useForm";

const UnlockMutation = graphql(`
  mutation UnlockMember($token: String!) {
    unlockMember(token: $token) {
      ok
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export default function Unlock() {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const unlock = useMutationForm(UnlockMutation, {});
  const [result, setResult] = useState<"done" | "dead" | null>(null);

  const submit = unlock.onSubmit(async () => {
    const data = await unlock.run({ token });
    if (!data) return;
    setResult(data.unlockMember.ok && data.unlockMember.errors.length === 0 ? "done" : "dead");
  });

  return (
    <Page title="Unlock your account" narrow>
      {result === "done" ? (
        <>
          <Status>Your account is unlocked. You can sign in again now.</Status>
          <p>
            <Link to="/sign-in">Sign in</Link>
          </p>
        </>
      ) : result === "dead" || !token ? (
        <>
          <Alert>
            {token
              ? "This unlock link is not valid any more: it may have expired or been used already."
              : "This page needs the link from the e-mail we sent when signing in was locked."}
          </Alert>
          <p>
            The lock also ends by itself after a while. If you have forgotten your password,{" "}
            <Link to="/forgot-password">reset it</Link>.
          </p>
        </>
      ) : (
        <form onSubmit={submit}>
          <p>
            Signing in was locked after too many wrong passwords. If those attempts were yours, unlock your account and
            sign in again. If they were not, reset your password after unlocking.
          </p>
          <FormActions messages={unlock.messages} pending={unlock.pending} submit="Unlock account" />
        </form>
      )}
    </Page>
  );
}
