import { useState } from "react";
import { SelectField, Field } from "../../components/Field";
import { FlashSlot, useFlash } from "../../components/Flash";
import { FormActions } from "../../components/FormActions";
import { graphql } from "../../gql";
import type { Permission, Role } from "../../gql/graphql";
import { useMutationForm } from "../../lib/useForm";
import { GrantChoices } from "./GrantChoices";

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

const INVITE_FIELDS = ["displayName", "email", "phone", "role", "permissions"];

export function InviteForm({ onInvited }: { onInvited: () => void }) {
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
