import { useState, type FormEvent } from "react";
import { useMutation } from "../../api/hooks";
import { refusalText, type UserErrorShape } from "../../api/messages";
import { Confirm, useConfirm } from "../../components/Confirm";
import { SelectField } from "../../components/Field";
import { Errors } from "../../components/Notice";
import { Remove, Resend, Transfer, UnlockById, UpdateAccess } from "./rowActions";
import type { MembersQuery, Permission, Role } from "../../gql/graphql";
import { useReturnFocus } from "../../lib/focus";
import { dateTime } from "../../lib/format";
import { ROLE_NAMES } from "../../lib/permissions";
import { useSession } from "../../session/SessionProvider";
import { GrantChoices } from "./GrantChoices";

type ListedMember = NonNullable<MembersQuery["account"]>["members"] extends infer C
  ? C extends { edges: ReadonlyArray<{ node: infer N }> }
    ? N
    : never
  : never;

const STATUS_NAMES = { INVITED: "Invited", ACTIVE: "Active", LOCKED: "Locked", DISABLED: "Disabled" } as const;

export function MemberRow({
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
  const confirming = useConfirm<"remove" | "transfer">();
  const [editing, setEditing] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  // A closed form hands focus back to the button that opened it (keyboard users).
  const editOpener = useReturnFocus<HTMLButtonElement>(editing);
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
    if (confirmed) confirming.close();
    return data !== null && outcome(errorsOf(data), done);
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
                  editOpener.closed();
                  setEditing(false);
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
            <div className="actions">
              {usable && !editing && (
                <button type="button" className="secondary" ref={editOpener.ref} onClick={() => setEditing(true)}>
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
              {member.status === "ACTIVE" && confirming.asking === null && (
                <button
                  type="button"
                  className="secondary"
                  ref={confirming.opener("transfer")}
                  onClick={() => confirming.ask("transfer")}
                >
                  Make primary member
                </button>
              )}
              {confirming.asking === null && (
                <button
                  type="button"
                  className="danger-secondary"
                  ref={confirming.opener("remove")}
                  onClick={() => confirming.ask("remove")}
                >
                  Remove
                </button>
              )}
            </div>
            {confirming.asking === "remove" && (
              <Confirm
                confirm="Yes, remove"
                pending={remove.pending}
                onConfirm={() => void act(remove, (data) => data.removeMember.errors, `${member.displayName} was removed.`, true)}
                onCancel={confirming.cancel}
              >
                Remove {member.displayName}? They will be signed out and can no longer use this account.
              </Confirm>
            )}
            {confirming.asking === "transfer" && (
              <Confirm
                confirm="Yes, hand over"
                pending={transfer.pending}
                onConfirm={async () => {
                  if (await act(transfer, (data) => data.transferPrimary.errors, `${member.displayName} is now the primary member.`, true))
                    await refresh();
                }}
                onCancel={confirming.cancel}
              >
                Make {member.displayName} the primary member? You become an account partner and can no longer manage users.
              </Confirm>
            )}
          </div>
        )}
      </section>
    </li>
  );
}

