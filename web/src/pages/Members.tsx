import { useEffect, useRef, useState, type FormEvent } from "react";
import { useMutation, useQuery } from "../api/hooks";
import { refusalText, type UserErrorShape } from "../api/messages";
import { Field, SelectField } from "../components/Field";
import { FlashSlot, useFlash } from "../components/Flash";
import { FormActions } from "../components/FormActions";
import { Errors, Loading } from "../components/Notice";
import { NotAllowed, Page } from "../components/Page";
import { graphql } from "../gql";
import type { MembersQuery, Permission, Role } from "../gql/graphql";
import { dateTime } from "../lib/format";
import { GRANTS, ROLE_NAMES } from "../lib/permissions";
import { useMutationForm } from "../lib/useForm";
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
        ...UserErrorFields
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
        ...UserErrorFields
      }
    }
  }
`);

// What a row action on a member answers: the member's new state, or why it was refused.
graphql(`
  fragment MemberRowOutcome on MemberPayload {
    member {
      id
      status
    }
    errors {
      ...UserErrorFields
    }
  }
`);

const Resend = graphql(`
  mutation ResendInvitation($memberId: ID!) {
    resendInvitation(memberId: $memberId) {
      ...MemberRowOutcome
    }
  }
`);

const Remove = graphql(`
  mutation RemoveMember($memberId: ID!) {
    removeMember(memberId: $memberId) {
      ok
      errors {
        ...UserErrorFields
      }
    }
  }
`);

const UnlockById = graphql(`
  mutation UnlockMemberById($memberId: ID!) {
    unlockMemberById(memberId: $memberId) {
      ...MemberRowOutcome
    }
  }
`);

const Transfer = graphql(`
  mutation TransferPrimary($memberId: ID!) {
    transferPrimary(memberId: $memberId) {
      ...MemberRowOutcome
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

const INVITE_FIELDS = ["displayName", "email", "phone", "role", "permissions"];

function InviteForm({ onInvited }: { onInvited: () => void }) {
  const [grants, setGrants] = useState<Permission[]>([]);
  const flash = useFlash();
  const blank = { displayName: "", email: "", phone: "", role: "STANDARD" as Role };
  const invite = useMutationForm(Invite, blank, INVITE_FIELDS);
  const role = invite.values.role;

  const submit = invite.onSubmit(async ({ displayName, email, phone }) => {
    const fine = invite.check({
      displayName: !displayName.trim() && "Enter the user's name.",
      email: !email.trim() && "Enter the e-mail address we should send the invitation to.",
    });
    flash.clear();
    if (!fine) return;
    const data = await invite.run({
      input: {
        displayName: displayName.trim(),
        email: email.trim(),
        phone: phone.trim() || null,
        role,
        permissions: role === "STANDARD" ? grants : [],
      },
    });
    if (!data || invite.refuse(data.inviteMember.errors)) return;
    flash.confirm(`We have e-mailed an invitation to ${email.trim()}. ${displayName.trim()} can sign in once they accept it.`);
    invite.reset();
    setGrants([]);
    onInvited();
  });

  return (
    <section className="card" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite someone</h2>
      <FlashSlot message={flash.message} />
      <form onSubmit={submit} noValidate>
        <div className="inline-fields">
          <Field label="Name" autoComplete="off" {...invite.field("displayName")} />
          <Field label="E-mail" type="email" autoComplete="off" {...invite.field("email")} />
          <Field label="Phone (optional)" type="tel" autoComplete="off" {...invite.field("phone")} />
        </div>
        <SelectField
          label="Permission level"
          hint="An account partner can do everything except manage users. A standard user manages their own profile, plus what you choose below."
          {...invite.field("role")}
        >
          <option value="MANAGER">Account partner</option>
          <option value="STANDARD">Standard user</option>
        </SelectField>
        {role === "STANDARD" && <GrantChoices chosen={grants} onChange={setGrants} idPrefix="invite" />}
        <FormActions
          messages={[invite.error, invite.fieldErrors.permissions, ...invite.general]}
          pending={invite.pending}
          submit="Add user"
        />
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

  const outcome = (errors: readonly UserErrorShape[], done: string) => {
    if (errors.length > 0) {
      setRefusal(refusalText(errors));
      return false;
    }
    setRefusal(null);
    onChanged(done);
    return true;
  };

  // A row action on this member (`confirmed`: it closes the confirmation that asked for it); true when done.
  const act = async <R,>(
    action: { run: (variables: { memberId: string }) => Promise<R | null> },
    errorsOf: (data: R) => readonly UserErrorShape[],
    done: string,
    confirmed = false,
  ) => {
    flash.clear();
    const data = await action.run({ memberId: member.id });
    if (confirmed) setConfirming(null);
    return data !== null && outcome(errorsOf(data), done);
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
                  onClick={() =>
                    void act(resend, (data) => data.resendInvitation.errors, `We have sent ${member.displayName} a new invitation.`)
                  }
                >
                  Resend invitation
                </button>
              )}
              {member.status === "LOCKED" && (
                <button
                  type="button"
                  className="secondary"
                  disabled={unlock.pending}
                  onClick={() => void act(unlock, (data) => data.unlockMemberById.errors, `${member.displayName} can sign in again.`)}
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
                    onClick={() => void act(remove, (data) => data.removeMember.errors, `${member.displayName} was removed.`, true)}
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
                      if (await act(transfer, (data) => data.transferPrimary.errors, `${member.displayName} is now the primary member.`, true))
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
