import { useEffect, useRef, useState, type FormEvent } from "react";
import { useMutation, useQuery } from "../api/hooks";
import { splitErrors, userErrorMessage } from "../api/messages";
import { Field, SelectField } from "../components/Field";
import { FlashSlot, useFlash } from "../components/Flash";
import { Errors, Loading } from "../components/Notice";
import { NotAllowed, Page } from "../components/Page";
import { graphql } from "../gql";
import type { MembersQuery, Permission, Role } from "../gql/graphql";
import { dateTime } from "../lib/format";
import { GRANTS, ROLE_NAMES } from "../lib/permissions";
import { can } from "../session/me";
import { useMe, useSession } from "../session/SessionProvider";

const MembersPageQuery = graphql(`
  query Members($manage: Boolean!) {
    account {
      id
      timeZone
      members(first: 50) {
        totalCount
        edges {
          node {
            id
            username
            displayName
            email @include(if: $manage)
            phone @include(if: $manage)
            role
            status
            permissions
            lastSignInAt
            twoFactorEnabled @include(if: $manage)
          }
        }
      }
    }
  }
`);

const Invite = graphql(`
  mutation InviteMember($input: InviteMemberInput!) {
    inviteMember(input: $input) {
      member {
        id
        displayName
      }
      errors {
        code
        field
        message
      }
    }
  }
`);

const UpdateAccess = graphql(`
  mutation UpdateMemberAccess($input: UpdateMemberAccessInput!) {
    updateMemberAccess(input: $input) {
      member {
        id
        role
        permissions
      }
      errors {
        code
        field
        message
      }
    }
  }
`);

const Resend = graphql(`
  mutation ResendInvitation($memberId: ID!) {
    resendInvitation(memberId: $memberId) {
      member {
        id
      }
      errors {
        code
        field
        message
      }
    }
  }
`);

const Remove = graphql(`
  mutation RemoveMember($memberId: ID!) {
    removeMember(memberId: $memberId) {
      ok
      errors {
        code
        field
        message
      }
    }
  }
`);

const UnlockById = graphql(`
  mutation UnlockMemberById($memberId: ID!) {
    unlockMemberById(memberId: $memberId) {
      member {
        id
        status
      }
      errors {
        code
        field
        message
      }
    }
  }
`);

const Transfer = graphql(`
  mutation TransferPrimary($memberId: ID!) {
    transferPrimary(memberId: $memberId) {
      member {
        id
      }
      errors {
        code
        field
        message
      }
    }
  }
`);

type ListedMember = NonNullable<MembersQuery["account"]>["members"] extends infer C
  ? C extends { edges: ReadonlyArray<{ node: infer N }> }
    ? N
    : never
  : never;

const STATUS_NAMES = { INVITED: "Invited", ACTIVE: "Active", LOCKED: "Locked", DISABLED: "Disabled" } as const;

export default function Members() {
  const me = useMe();
  const manage = can(me, "MANAGE_MEMBERS");
  const view = manage || can(me, "VIEW_MEMBERS");
  const { data, error, loading, reload } = useQuery(MembersPageQuery, { manage }, !view);
  const account = data?.account;
  // Rows confirm here, above the list: a removed user's row is gone once the list reloads.
  const listFlash = useFlash();

  return (
    <Page title="Manage users">
      {!manage && (
        <NotAllowed>
          Only the account's primary member can add users or change their access.
          {view ? " You can see who else uses this account." : ""}
        </NotAllowed>
      )}
      <Errors messages={[error]} />
      {manage && (
        <InviteForm onInvited={reload} />
      )}
      {view && loading && !account && <Loading />}
      {view && account?.members && (
        <section className="card" aria-labelledby="members-list">
          <h2 id="members-list">Users of this account</h2>
          <FlashSlot message={listFlash.message} />
          <ul className="plain">
            {account.members.edges.map(({ node }) => (
              <MemberRow
                key={node.id}
                member={node}
                self={node.id === me.id}
                manage={manage}
                timeZone={account.timeZone}
                onChanged={(message) => {
                  listFlash.confirm(message);
                  reload();
                }}
                onBusy={listFlash.clear}
              />
            ))}
          </ul>
        </section>
      )}
    </Page>
  );
}

function GrantChoices({
  chosen,
  onChange,
  idPrefix,
}: {
  chosen: readonly Permission[];
  onChange: (next: Permission[]) => void;
  idPrefix: string;
}) {
  return (
    <fieldset className="choice">
      <legend>What this standard user may also do</legend>
      {GRANTS.map((grant) => (
        <label key={grant.permission} htmlFor={`${idPrefix}-${grant.permission}`}>
          <input
            id={`${idPrefix}-${grant.permission}`}
            type="checkbox"
            checked={chosen.includes(grant.permission)}
            onChange={(event) =>
              onChange(
                event.target.checked
                  ? [...chosen, grant.permission]
                  : chosen.filter((permission) => permission !== grant.permission),
              )
            }
          />{" "}
          {grant.label}
        </label>
      ))}
    </fieldset>
  );
}

function InviteForm({ onInvited }: { onInvited: () => void }) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [phone, setPhone] = useState("");
  const [role, setRole] = useState<Role>("STANDARD");
  const [grants, setGrants] = useState<Permission[]>([]);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const flash = useFlash();
  const invite = useMutation(Invite);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (!name.trim()) problems.displayName = "Enter the user's name.";
    if (!email.trim()) problems.email = "Enter the e-mail address we should send the invitation to.";
    setFieldErrors(problems);
    setGeneral([]);
    flash.clear();
    if (Object.keys(problems).length > 0) return;
    const data = await invite.run({
      input: {
        displayName: name.trim(),
        email: email.trim(),
        phone: phone.trim() || null,
        role,
        permissions: role === "STANDARD" ? grants : [],
      },
    });
    if (!data) return;
    const payload = data.inviteMember;
    if (payload.errors.length > 0) {
      const split = splitErrors(payload.errors, ["displayName", "email", "phone", "role", "permissions"]);
      setFieldErrors(split.byField);
      setGeneral(split.general);
      return;
    }
    flash.confirm(`We have e-mailed an invitation to ${email.trim()}. ${name.trim()} can sign in once they accept it.`);
    setName("");
    setEmail("");
    setPhone("");
    setRole("STANDARD");
    setGrants([]);
    onInvited();
  };

  return (
    <section className="card" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite someone</h2>
      <FlashSlot message={flash.message} />
      <form onSubmit={submit} noValidate>
        <div className="inline-fields">
          <Field
            label="Name"
            name="displayName"
            autoComplete="off"
            value={name}
            error={fieldErrors.displayName}
            onChange={(event) => setName(event.target.value)}
          />
          <Field
            label="E-mail"
            name="email"
            type="email"
            autoComplete="off"
            value={email}
            error={fieldErrors.email}
            onChange={(event) => setEmail(event.target.value)}
          />
          <Field
            label="Phone (optional)"
            name="phone"
            type="tel"
            autoComplete="off"
            value={phone}
            error={fieldErrors.phone}
            onChange={(event) => setPhone(event.target.value)}
          />
        </div>
        <SelectField
          label="Permission level"
          name="role"
          value={role}
          hint="An account partner can do everything except manage users. A standard user manages their own profile, plus what you choose below."
          error={fieldErrors.role}
          onChange={(event) => setRole(event.target.value as Role)}
        >
          <option value="MANAGER">Account partner</option>
          <option value="STANDARD">Standard user</option>
        </SelectField>
        {role === "STANDARD" && <GrantChoices chosen={grants} onChange={setGrants} idPrefix="invite" />}
        <Errors messages={[invite.error, fieldErrors.permissions, ...general]} />
        <div className="actions">
          <button type="submit" disabled={invite.pending}>
            Add user
          </button>
        </div>
      </form>
    </section>
  );
}

function MemberRow({
  member,
  self,
  manage,
  timeZone,
  onChanged,
  onBusy,
}: {
  member: ListedMember;
  self: boolean;
  manage: boolean;
  timeZone: string;
  onChanged: (message: string) => void;
  onBusy: () => void;
}) {
  const { refresh } = useSession();
  const [role, setRole] = useState<Role>(member.role);
  const [grants, setGrants] = useState<Permission[]>(member.role === "STANDARD" ? [...member.permissions] : []);
  const [confirming, setConfirming] = useState<"remove" | "transfer" | null>(null);
  const [editing, setEditing] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  // A closed form or confirmation hands focus back to the button that opened it (keyboard users).
  const [refocus, setRefocus] = useState<string | null>(null);
  const actions = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (refocus === null) return;
    actions.current?.querySelector<HTMLButtonElement>(`[data-action="${refocus}"]`)?.focus();
    setRefocus(null);
  }, [refocus]);
  const flash = { clear: onBusy };
  const update = useMutation(UpdateAccess);
  const resend = useMutation(Resend);
  const remove = useMutation(Remove);
  const unlock = useMutation(UnlockById);
  const transfer = useMutation(Transfer);
  const headingId = `member-${member.id}`;
  const editable = manage && !self && member.role !== "PRIMARY";
  const usable = member.status !== "DISABLED";

  const outcome = (errors: readonly { code: string; field: string | null; message: string }[], done: string) => {
    if (errors.length > 0) {
      setRefusal(errors.map((error) => userErrorMessage(error)).join(" "));
      return false;
    }
    setRefusal(null);
    onChanged(done);
    return true;
  };

  const keep = () => {
    setRefocus(confirming);
    setConfirming(null);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    flash.clear();
    const data = await update.run({
      input: { memberId: member.id, role, permissions: role === "STANDARD" ? grants : [] },
    });
    if (data && outcome(data.updateMemberAccess.errors, `${member.displayName}'s access is saved.`)) setEditing(false);
  };

  return (
    <li>
      <section aria-labelledby={headingId}>
        <h3 id={headingId}>
          {member.displayName}
          {self ? " (you)" : ""}
        </h3>
        <p>
          {ROLE_NAMES[member.role]}{" "}
          <span className={`badge${member.status === "LOCKED" ? " badge-bad" : ""}`}>{STATUS_NAMES[member.status]}</span>
          {member.email ? <> · {member.email}</> : null}
          {member.username ? <> · username {member.username}</> : null}
          {member.lastSignInAt ? <> · last signed in {dateTime(member.lastSignInAt, timeZone)}</> : null}
          {member.twoFactorEnabled ? " · two-factor on" : ""}
        </p>
        <Errors messages={[update.error, resend.error, remove.error, unlock.error, transfer.error, refusal]} />
        {editable && usable && editing && (
          <form onSubmit={save} noValidate>
            <SelectField
              label="Permission level"
              name="role"
              value={role}
              autoFocus
              onChange={(event) => setRole(event.target.value as Role)}
            >
              <option value="MANAGER">Account partner</option>
              <option value="STANDARD">Standard user</option>
            </SelectField>
            {role === "STANDARD" && <GrantChoices chosen={grants} onChange={setGrants} idPrefix={headingId} />}
            <div className="actions">
              <button type="submit" disabled={update.pending}>
                Save
              </button>
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  setEditing(false);
                  setRefocus("edit");
                  setRole(member.role);
                  setGrants(member.role === "STANDARD" ? [...member.permissions] : []);
                }}
              >
                Cancel
              </button>
            </div>
          </form>
        )}
        {editable && (
          <div>
            <div className="actions" ref={actions}>
              {usable && !editing && (
                <button type="button" className="secondary" data-action="edit" onClick={() => setEditing(true)}>
                  Change access
                </button>
              )}
              {member.status === "INVITED" && (
                <button
                  type="button"
                  className="secondary"
                  disabled={resend.pending}
                  onClick={async () => {
                    flash.clear();
                    const data = await resend.run({ memberId: member.id });
                    if (data) outcome(data.resendInvitation.errors, `We have sent ${member.displayName} a new invitation.`);
                  }}
                >
                  Resend invitation
                </button>
              )}
              {member.status === "LOCKED" && (
                <button
                  type="button"
                  className="secondary"
                  disabled={unlock.pending}
                  onClick={async () => {
                    flash.clear();
                    const data = await unlock.run({ memberId: member.id });
                    if (data) outcome(data.unlockMemberById.errors, `${member.displayName} can sign in again.`);
                  }}
                >
                  Unlock
                </button>
              )}
              {member.status === "ACTIVE" && confirming === null && (
                <button
                  type="button"
                  className="secondary"
                  data-action="transfer"
                  onClick={() => setConfirming("transfer")}
                >
                  Make primary member
                </button>
              )}
              {confirming === null && (
                <button
                  type="button"
                  className="danger-secondary"
                  data-action="remove"
                  onClick={() => setConfirming("remove")}
                >
                  Remove
                </button>
              )}
            </div>
            {confirming === "remove" && (
              <div className="notice confirm-box">
                <p>Remove {member.displayName}? They will be signed out and can no longer use this account.</p>
                <div className="actions">
                  <button
                    type="button"
                    className="danger"
                    disabled={remove.pending}
                    onClick={async () => {
                      flash.clear();
                      const data = await remove.run({ memberId: member.id });
                      setConfirming(null);
                      if (data) outcome(data.removeMember.errors, `${member.displayName} was removed.`);
                    }}
                  >
                    Yes, remove
                  </button>
                  <button type="button" className="secondary" autoFocus onClick={() => keep()}>
                    Keep
                  </button>
                </div>
              </div>
            )}
            {confirming === "transfer" && (
              <div className="notice confirm-box">
                <p>
                  Make {member.displayName} the primary member? You become an account partner and can no longer manage
                  users.
                </p>
                <div className="actions">
                  <button
                    type="button"
                    className="danger"
                    disabled={transfer.pending}
                    onClick={async () => {
                      flash.clear();
                      const data = await transfer.run({ memberId: member.id });
                      setConfirming(null);
                      if (data && outcome(data.transferPrimary.errors, `${member.displayName} is now the primary member.`))
                        await refresh();
                    }}
                  >
                    Yes, hand over
                  </button>
                  <button type="button" className="secondary" autoFocus onClick={() => keep()}>
                    Keep
                  </button>
                </div>
              </div>
            )}
          </div>
        )}
      </section>
    </li>
  );
}
