import { useState } from "react";
import { useMutation } from "../../api/hooks";
import { refusalText } from "../../api/messages";
import { Field } from "../../components/Field";
import { FlashSlot, useFlash } from "../../components/Flash";
import { FormActions } from "../../components/FormActions";
import { Errors } from "../../components/Notice";
import { graphql } from "../../gql";
import { describeAgent } from "../../lib/agent";
import { useMutationForm } from "../../lib/useForm";
import { createPasskey, passkeyFailure, passkeysSupported } from "../../lib/webauthn";
import { useSession } from "../../session/SessionProvider";
import { PasskeyItem, type PasskeyList } from "./PasskeyItem";

const BeginPasskeyRegistration = graphql(`
  mutation BeginPasskeyRegistration {
    beginPasskeyRegistration {
      options
      errors {
        ...UserErrorFields
      }
    }
  }
`);

const FinishPasskeyRegistration = graphql(`
  mutation FinishPasskeyRegistration($name: String!, $credential: String!) {
    finishPasskeyRegistration(name: $name, credential: $credential) {
      passkey {
        id
        name
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

interface Props {
  passkeys: PasskeyList;
  timeZone: string | undefined;
  onChanged: () => void;
  /** A passkey was added: the moment to offer recovery codes. */
  onAdded: () => void;
}

/** The member's passkeys: add one (named, after confirming it's them), rename or remove each. */
export function Passkeys({ passkeys, timeZone, onChanged, onAdded }: Props) {
  const { refresh } = useSession();
  const flash = useFlash();
  const begin = useMutation(BeginPasskeyRegistration);
  const add = useMutationForm(FinishPasskeyRegistration, { name: "" });
  const [adding, setAdding] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const supported = passkeysSupported();

  const open = () => {
    flash.clear();
    setRefusal(null);
    add.reset({ name: `${describeAgent(navigator.userAgent)} passkey` });
    setAdding(true);
  };

  const create = add.onSubmit(async ({ name }) => {
    setRefusal(null);
    if (!add.check({ name: !name.trim() && "Give the passkey a name, such as the device it is on." })) return;
    const started = await begin.run();
    if (!started) return;
    const options = started.beginPasskeyRegistration.options;
    if (started.beginPasskeyRegistration.errors.length > 0 || !options) {
      setRefusal(refusalText(started.beginPasskeyRegistration.errors) || "A passkey could not be added now.");
      return;
    }
    let credential: string;
    try {
      credential = await createPasskey(options);
    } catch (error) {
      setRefusal(passkeyFailure(error));
      return;
    }
    const data = await add.run({ name: name.trim(), credential });
    if (!data) return;
    const payload = data.finishPasskeyRegistration;
    if (add.refuse(payload.errors) || !payload.passkey) return;
    setAdding(false);
    flash.confirm(`The passkey "${payload.passkey.name}" is added. Next time, sign in with it: no password needed.`);
    onChanged();
    onAdded();
    await refresh();
  });

  const removed = async (name: string) => {
    flash.confirm(`The passkey "${name}" is removed: it can't sign in to your account any more.`);
    onChanged();
    await refresh();
  };

  return (
    <section className="card" aria-labelledby="sec-passkeys">
      <h2 id="sec-passkeys">Passkeys</h2>
      <FlashSlot message={flash.message} />
      <p>
        A passkey signs you in with your device's fingerprint, face or screen lock instead of a password, and can't be
        phished.
      </p>
      {passkeys.length > 0 ? (
        <ul className="plain" aria-label="Your passkeys">
          {passkeys.map((passkey) => (
            <PasskeyItem key={passkey.id} passkey={passkey} timeZone={timeZone} onChanged={onChanged} onRemoved={removed} />
          ))}
        </ul>
      ) : (
        <p>You have no passkeys yet.</p>
      )}
      {adding ? (
        <form onSubmit={create} noValidate>
          <Field
            label="Passkey name"
            hint="So you can tell your passkeys apart, e.g. the device it is on."
            maxLength={64}
            autoFocus
            {...add.field("name")}
          />
          <FormActions messages={[begin.error, ...add.messages, refusal]} pending={begin.pending || add.pending} submit="Create passkey">
            <button type="button" className="secondary" onClick={() => setAdding(false)}>
              Cancel
            </button>
          </FormActions>
        </form>
      ) : (
        <>
          <Errors messages={[refusal]} />
          {supported ? (
            <button type="button" onClick={open}>
              Add a passkey
            </button>
          ) : (
            <p>This browser cannot create passkeys. Try an up-to-date browser on your phone or computer.</p>
          )}
        </>
      )}
    </section>
  );
}
