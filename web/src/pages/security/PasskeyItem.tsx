import { useState } from "react";
import { useMutation } from "../../api/hooks";
import { refusalText } from "../../api/messages";
import { Field } from "../../components/Field";
import { FlashSlot, useFlash } from "../../components/Flash";
import { FormActions } from "../../components/FormActions";
import { Errors } from "../../components/Notice";
import { graphql } from "../../gql";
import type { SecurityQuery } from "../../gql/graphql";
import { dateTime } from "../../lib/format";
import { useMutationForm } from "../../lib/useForm";

const RenamePasskey = graphql(`
  mutation RenamePasskey($id: ID!, $name: String!) {
    renamePasskey(id: $id, name: $name) {
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

const RemovePasskey = graphql(`
  mutation RemovePasskey($id: ID!) {
    removePasskey(id: $id) {
      ok
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export type PasskeyList = NonNullable<NonNullable<SecurityQuery["me"]>["passkeys"]>;

interface Props {
  passkey: PasskeyList[number];
  timeZone: string | undefined;
  onChanged: () => void;
  onRemoved: (name: string) => Promise<void>;
}

/** One passkey: its name and dates, renamed in place, or removed (each after confirming it's you). */
export function PasskeyItem({ passkey, timeZone, onChanged, onRemoved }: Props) {
  const flash = useFlash();
  const rename = useMutationForm(RenamePasskey, { name: passkey.name });
  const remove = useMutation(RemovePasskey);
  const [renaming, setRenaming] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);

  const save = rename.onSubmit(async ({ name }) => {
    if (!rename.check({ name: !name.trim() && "Give the passkey a name." })) return;
    const data = await rename.run({ id: passkey.id, name: name.trim() });
    if (!data) return;
    const payload = data.renamePasskey;
    if (rename.refuse(payload.errors) || !payload.passkey) return;
    setRenaming(false);
    flash.confirm(`The passkey is now called "${payload.passkey.name}".`);
    onChanged();
  });

  const removeIt = async () => {
    flash.clear();
    setRefusal(null);
    const data = await remove.run({ id: passkey.id });
    if (!data) return;
    if (data.removePasskey.errors.length > 0) {
      setRefusal(refusalText(data.removePasskey.errors));
      return;
    }
    await onRemoved(passkey.name);
  };

  if (renaming) {
    return (
      <li>
        <form onSubmit={save} noValidate>
          <Field label={`New name for ${passkey.name}`} maxLength={64} autoFocus {...rename.field("name")} />
          <FormActions messages={rename.messages} pending={rename.pending} submit="Save">
            <button type="button" className="secondary" onClick={() => setRenaming(false)}>
              Cancel
            </button>
          </FormActions>
        </form>
      </li>
    );
  }

  return (
    <li className="session">
      <div>
        <strong>{passkey.name}</strong>
        <br />
        <span className="aside">{lastUsed(passkey, timeZone)}</span>
        <FlashSlot message={flash.message} />
        <Errors messages={[remove.error, refusal]} />
      </div>
      <div className="row-actions">
        <button
          type="button"
          className="secondary small"
          onClick={() => {
            flash.clear();
            rename.reset({ name: passkey.name });
            setRenaming(true);
          }}
        >
          Rename
        </button>
        <button type="button" className="danger-secondary small" onClick={() => void removeIt()} disabled={remove.pending}>
          Remove
        </button>
      </div>
    </li>
  );
}

function lastUsed(passkey: PasskeyList[number], timeZone: string | undefined): string {
  const added = `Added ${dateTime(passkey.createdAt, timeZone)}`;
  return passkey.lastUsedAt ? `${added}, last used ${dateTime(passkey.lastUsedAt, timeZone)}.` : `${added}, not used yet.`;
}
