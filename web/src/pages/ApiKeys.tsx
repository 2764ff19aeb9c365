import { useEffect, useRef, useState, type FormEvent } from "react";
import { useMutation, useQuery } from "../api/hooks";
import { splitErrors, userErrorMessage } from "../api/messages";
import { Field } from "../components/Field";
import { FlashSlot, useFlash } from "../components/Flash";
import { Errors, Loading } from "../components/Notice";
import { NotAllowed, Page } from "../components/Page";
import { graphql } from "../gql";
import type { ApiKeysQuery as ApiKeysData, Permission } from "../gql/graphql";
import { dateTime } from "../lib/format";
import { ALL_PERMISSIONS, PERMISSION_NAMES } from "../lib/permissions";
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
        code
        field
        message
      }
    }
  }
`);

const RevokeKey = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) {
      ok
      errors {
        code
        field
        message
      }
    }
  }
`);

export default function ApiKeys() {
  const me = useMe();
  const allowed = can(me, "MANAGE_MEMBERS");
  const { data, error, loading, reload } = useQuery(ApiKeysQuery, undefined, !allowed);
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<Permission[]>([]);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [secret, setSecret] = useState<{ id: string; name: string; value: string } | null>(null);
  const flash = useFlash();
  const create = useMutation(CreateKey);
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

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    flash.clear();
    setSecret(null);
    const problems: Record<string, string> = {};
    if (!name.trim()) problems.name = "Name the key after the app that will use it.";
    if (chosen.length === 0) problems.permissions = "Choose at least one thing the app may do.";
    setFieldErrors(problems);
    setGeneral([]);
    if (Object.keys(problems).length > 0) return;
    const data = await create.run({ input: { name: name.trim(), permissions: chosen } });
    if (!data) return;
    const payload = data.createApiKey;
    if (payload.errors.length > 0 || !payload.secret || !payload.apiKey) {
      const split = splitErrors(payload.errors, ["name", "permissions"]);
      setFieldErrors(split.byField);
      setGeneral(split.general);
      return;
    }
    setSecret({ id: payload.apiKey.id, name: payload.apiKey.name, value: payload.secret });
    setName("");
    setChosen([]);
    reload();
  };

  const revokeOne = async (id: string, keyName: string) => {
    flash.clear();
    setRefusal(null);
    const data = await revoke.run({ id });
    if (!data) return;
    if (data.revokeApiKey.errors.length > 0) {
      setRefusal(data.revokeApiKey.errors.map((error) => userErrorMessage(error)).join(" "));
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
          <Field label="Key name" name="name" value={name} error={fieldErrors.name} onChange={(event) => setName(event.target.value)} />
          <fieldset className="choice" aria-describedby={fieldErrors.permissions ? "key-permissions-error" : undefined}>
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
            {fieldErrors.permissions && (
              <p id="key-permissions-error" className="field-error" role="alert">
                {fieldErrors.permissions}
              </p>
            )}
          </fieldset>
          <Errors messages={[create.error, ...general]} />
          <div className="actions">
            <button type="submit" disabled={create.pending}>
              Create API key
            </button>
          </div>
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
  const [confirming, setConfirming] = useState(false);
  const [refocus, setRefocus] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!refocus) return;
    opener.current?.focus();
    setRefocus(false);
  }, [refocus]);

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
        {confirming && (
          <div className="notice confirm-box">
            <p>Revoke “{apiKey.name}”? Apps using it are refused at once, and it cannot be turned back on.</p>
            <div className="actions">
              <button
                type="button"
                className="danger"
                disabled={busy}
                onClick={async () => {
                  await onRevoke();
                  setConfirming(false);
                }}
              >
                Yes, revoke
              </button>
              <button
                type="button"
                className="secondary"
                autoFocus
                onClick={() => {
                  setConfirming(false);
                  setRefocus(true);
                }}
              >
                Keep
              </button>
            </div>
          </div>
        )}
      </div>
      {!confirming && (
        <button
          ref={opener}
          type="button"
          className="danger-secondary small"
          onClick={() => setConfirming(true)}
        >
          Revoke
        </button>
      )}
    </li>
  );
}
