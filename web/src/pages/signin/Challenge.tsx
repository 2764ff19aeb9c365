import { useState, type ReactNode } from "react";
import type { UserErrorShape } from "../../api/messages";
import { CodeField, Field } from "../../components/Field";
import { FormActions } from "../../components/FormActions";
import { Status } from "../../components/Notice";
import { Page } from "../../components/Page";
import { graphql } from "../../gql";
import { useMutationForm } from "../../lib/useForm";

const VerifySignInMutation = graphql(`
  mutation VerifySignIn($input: VerifySignInInput!) {
    verifySignIn(input: $input) {
      member {
        id
      }
      lockedUntil
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export interface SignInChallenge {
  id: string;
  channels: readonly string[];
  sentTo: string | null;
}

interface Props {
  challenge: SignInChallenge;
  refusal: ReactNode;
  setRefusal: (refusal: ReactNode) => void;
  onSignedIn: () => Promise<void>;
  onRefused: (errors: readonly UserErrorShape[], lockedUntil: string | null) => void;
  onRestart: () => void;
}

/** The sign-in challenge: the texted, e-mailed or authenticator code, or one of the member's recovery codes. */
export function Challenge({ challenge, refusal, setRefusal, onSignedIn, onRefused, onRestart }: Props) {
  const verify = useMutationForm(VerifySignInMutation, { code: "" });
  const [recovery, setRecovery] = useState(false);
  const totp = challenge.channels.includes("TOTP");

  const submitCode = verify.onSubmit(async ({ code }) => {
    setRefusal(null);
    const missing = recovery ? "Enter one of your recovery codes." : "Enter the code.";
    if (!verify.check({ code: !code.trim() && missing })) return;
    const data = await verify.run({ input: { challengeId: challenge.id, code: code.trim() } });
    if (!data) return;
    const payload = data.verifySignIn;
    if (payload.member) {
      await onSignedIn();
      return;
    }
    // An authenticator app's code cannot be asked for again: it changes every 30 seconds.
    const overrides: Record<string, string> = recovery
      ? { INVALID_CODE: "That recovery code is not right, or it has been used already. Check it, or try another." }
      : totp
        ? { INVALID_CODE: "That code is not right. Enter the code your authenticator app shows now." }
        : {};
    verify.refuse(payload.errors, overrides);
    const others = payload.errors.filter((error) => error.field !== "code");
    if (others.length > 0) onRefused(others, payload.lockedUntil);
  });

  const toggle = () => {
    setRecovery((current) => !current);
    verify.reset();
    setRefusal(null);
  };

  return (
    <Page title="Enter your code" narrow>
      {recovery ? (
        <p>
          Enter one of the recovery codes you saved when you set up two-factor sign-in or a passkey. Each code works once.
        </p>
      ) : totp ? (
        <p>Open your authenticator app and enter the six-digit code it shows for this account.</p>
      ) : (
        <Status>
          We don't recognise this device, so we sent a six-digit code to {challenge.sentTo ?? "you"}. It can take a
          minute to arrive.
        </Status>
      )}
      <form onSubmit={submitCode} noValidate className="card">
        {recovery ? (
          <Field
            key="recovery"
            label="Recovery code"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            hint="Like k7m2p-x9qrt: ten letters and digits."
            autoFocus
            {...verify.field("code")}
          />
        ) : (
          <CodeField key="code" autoFocus {...verify.field("code")} />
        )}
        <FormActions messages={[verify.error]} refusal={refusal} pending={verify.pending} submit="Verify">
          <button type="button" className="link-button" onClick={toggle}>
            {recovery ? "Use a code instead" : "Use a recovery code"}
          </button>
          <button
            type="button"
            className="link-button"
            onClick={() => {
              verify.reset();
              onRestart();
            }}
          >
            Start again
          </button>
        </FormActions>
      </form>
    </Page>
  );
}
