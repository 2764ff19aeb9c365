import { useState } from "react";
import { useMutation, useQuery } from "../api/hooks";
import { refusalText } from "../api/messages";
import { Confirm, useConfirm } from "../components/Confirm";
import { Field } from "../components/Field";
import { FlashSlot, useFlash } from "../components/Flash";
import { FormActions } from "../components/FormActions";
import { Errors, Loading } from "../components/Notice";
import { NotAllowed, Page } from "../components/Page";
import { graphql } from "../gql";
import type { ApiKeysQuery as ApiKeysData, Permission } from "../gql/graphql";
import { dateTime } from "../lib/format";
import { ALL_PERMISSIONS, PERMISSION_NAMES } from "../lib/permissions";
import { useMutationForm } from "../lib/useForm";
import { can } from "../session/me";
import { useMe } from "../session/SessionProvider";

// A key acts for an app, never for a person: it may never manage users (models/partners/api_keys.py NEVER_GRANTED).
const KEY_PERMISSIONS = ALL_PERMISSIONS.filter((permission) => permission !== "MANAGE_MEMBERS");

const ApiKeysQuery = graphql(`
  query ApiKeys {
    account {
      id
      timeZone
      apiKeys {
        id
        name
        prefix
        permissions
        createdAt
        lastUsedAt
      }
    }
  }
`);

const CreateKey = graphql(`
  mutation CreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      apiKey {
        id
        name
        prefix
      }
      secret
      errors {
        ...UserErrorFields
      }
    }
  }
`);

const RevokeKey = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) {
      ok
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export default function ApiKeys() {
  const me = useMe();
  const allowed = can(me, "MANAGE_MEMBERS");
  const { data, error, loading, reload } = useQuery(ApiKeysQuery, undefined, !allowed);
  // The permissions are checkboxes, kept beside the form's text values; their refusals are shown at them.
  const create = useMutationForm(CreateKey, { name: "" }, ["name", "permissions"]);
  const [chosen, setChosen] = useState<Permission[]>([]);
  const [secret, setSecret] = useState<{ id: string; name: string; value: string } | null>(null);
  const flash = useFlash();
  const revoke = useMutation(RevokeKey);
  const [refusal, setRefusal] = useState<string | null>(null);

  if (!allowed) {
    return (
      <Page title="API keys">
        <NotAllowed>Only the account's primary member can create and revoke API keys for partner apps.</NotAllowed>
      </Page>
    );
  }
  const account = data?.account;

  const submit = create.onSubmit(async ({ name }) => {
    flash.clear();
    setSecret(null);
    const fine = create.check({
      name: !name.trim() && "Name the key after the app that will use it.",
      permissions: chosen.length === 0 && "Choose at least one thing the app may do.",
    });
    if (!fine) return;
    const data = await create.run({ input: { name: name.trim(), permissions: chosen } });
    if (!data) return;
    const payload = data.createApiKey;
    if (create.refuse(payload.errors) || !payload.secret || !payload.apiKey) return;
    setSecret({ id: payload.apiKey.id, name: payload.apiKey.name, value: payload.secret });
    create.reset();
    setChosen([]);
    reload();
  });

  const revokeOne = async (id: string, keyName: string) => {
    flash.clear();
    setRefusal(null);
    const data = await revoke.run({ id });
    if (!data) return;
    if (data.revokeApiKey.errors.length > 0) {
      setRefusal(refusalText(data.revokeApiKey.errors));
      return;
    }
    // A revoked key's secret is of no use any more: no reason to keep it on the screen.
    setSecret((shown) => (shown?.id === id ? null : shown));
    flash.confirm(`The key “${keyName}” is revoked: apps using it are refused from now on.`);
    reload();
  };

  return (
    <Page title="API keys">
      <p>Partner apps use an API key to read or change this account on your behalf, limited to what you allow.</p>
      <Errors messages={[error]} />
      <section className="card" aria-labelledby="keys-new">
        <h2 id="keys-new">Create a key</h2>
        {secret && (
          <div role="status" className="notice notice-ok">
            <p>
              The key “{secret.name}” is ready. Copy it now: we show it only once.
            </p>
            <p className="secret">{secret.value}</p>
          </div>
        )}
        <form onSubmit={submit} noValidate>
          <Field label="Key name" {...create.field("name")} />
          <fieldset
            className="choice"
            aria-describedby={create.fieldErrors.permissions ? "key-permissions-error" : undefined}
          >
            <legend>What the app may do</legend>
            {KEY_PERMISSIONS.map((permission) => (
              <label key={permission}>
                <input
                  type="checkbox"
                  checked={chosen.includes(permission)}
                  onChange={(event) =>
                    setChosen((current) =>
                      event.target.checked ? [...current, permission] : current.filter((item) => item !== permission),
                    )
                  }
                />{" "}
                {PERMISSION_NAMES[permission]}
              </label>
            ))}
            {create.fieldErrors.permissions && (
              <p id="key-permissions-error" className="field-error" role="alert">
                {create.fieldErrors.permissions}
              </p>
            )}
          </fieldset>
          <FormActions messages={create.messages} pending={create.pending} submit="Create API key" />
        </form>
      </section>
      <section className="card" aria-labelledby="keys-list">
        <h2 id="keys-list">Keys</h2>
        <FlashSlot message={flash.message} />
        <Errors messages={[revoke.error, refusal]} />
        {loading && !account && <Loading />}
        {account?.apiKeys && account.apiKeys.length === 0 && <p>No API keys.</p>}
        {account?.apiKeys && account.apiKeys.length > 0 && (
          <ul className="plain">
            {account.apiKeys.map((key) => (
              <KeyRow
                key={key.id}
                apiKey={key}
                timeZone={account.timeZone}
                busy={revoke.pending}
                onRevoke={() => revokeOne(key.id, key.name)}
              />
            ))}
          </ul>
        )}
      </section>
    </Page>
  );
}

type ListedKey = NonNullable<NonNullable<ApiKeysData["account"]>["apiKeys"]>[number];

function KeyRow({
  apiKey,
  timeZone,
  busy,
  onRevoke,
}: {
  apiKey: ListedKey;
  timeZone: string;
  busy: boolean;
  onRevoke: () => Promise<void>;
}) {
  const confirming = useConfirm<"revoke">();

  return (
    <li className="session">
      <div>
        <strong>{apiKey.name}</strong> <code>{apiKey.prefix}…</code>
        <br />
        <span className="aside">
          {apiKey.permissions.map((permission) => PERMISSION_NAMES[permission]).join("; ")}. Created{" "}
          {dateTime(apiKey.createdAt, timeZone)}
          {apiKey.lastUsedAt ? `, last used ${dateTime(apiKey.lastUsedAt, timeZone)}` : ", never used"}.
        </span>
        {confirming.asking === "revoke" && (
          <Confirm
            confirm="Yes, revoke"
            pending={busy}
            onConfirm={async () => {
              await onRevoke();
              confirming.close();
            }}
            onCancel={confirming.cancel}
          >
            Revoke “{apiKey.name}”? Apps using it are refused at once, and it cannot be turned back on.
          </Confirm>
        )}
      </div>
      {confirming.asking === null && (
        <button
          ref={confirming.opener("revoke")}
          type="button"
          className="danger-secondary small"
          onClick={() => confirming.ask("revoke")}
        >
          Revoke
        </button>
      )}
    </li>
  );
}
