import { useQuery } from "../api/hooks";
import { CodeField, Field, PasswordRules } from "../components/Field";
import { FlashSlot, useFlash } from "../components/Flash";
import { FormActions } from "../components/FormActions";
import { Errors, Loading } from "../components/Notice";
import { Page } from "../components/Page";
import { graphql } from "../gql";
import type { SettingsQuery } from "../gql/graphql";
import { useMutationForm } from "../lib/useForm";
import { useSession } from "../session/SessionProvider";
import { Preferences } from "./settings/Preferences";

const SettingsPageQuery = graphql(`
  query Settings {
    me {
      id
      username
      displayName
      email
      phone
      pendingEmail
      pendingPhone
      notificationPreferences {
        billing
        serviceChanges
        outages
        security
      }
    }
  }
`);

// What a change of one's details answers: the details as they are now (a new address waits as pending).
graphql(`
  fragment ProfileOutcome on MemberPayload {
    member {
      id
      displayName
      email
      phone
      pendingEmail
      pendingPhone
    }
    errors {
      ...UserErrorFields
    }
  }
`);

const UpdateProfile = graphql(`
  mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) {
      ...ProfileOutcome
    }
  }
`);

const ConfirmContact = graphql(`
  mutation ConfirmContactChange($code: String!) {
    confirmContactChange(code: $code) {
      ...ProfileOutcome
    }
  }
`);

const ChangePassword = graphql(`
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input) {
      ok
      errors {
        ...UserErrorFields
      }
    }
  }
`);

/** The member as the Settings page reads it. */
export type Profile = NonNullable<SettingsQuery["me"]>;

export default function Settings() {
  // (`me: null`, the session ended elsewhere, signs out in useQuery.)
  const { data, error, loading, reload } = useQuery(SettingsPageQuery);
  const profile = data?.me;
  return (
    <Page title="Settings">
      <Errors messages={[error]} />
      {loading && !profile && <Loading />}
      {profile && (
        <>
          <ProfileForm profile={profile} onChanged={reload} />
          <PasswordForm profile={profile} />
          <Preferences profile={profile} />
        </>
      )}
    </Page>
  );
}

function ProfileForm({ profile, onChanged }: { profile: Profile; onChanged: () => void }) {
  const { refresh } = useSession();
  // Two forms, each with its own refusals; a field's message goes when either is sent.
  const details = useMutationForm(UpdateProfile, {
    displayName: profile.displayName,
    email: profile.email ?? "",
    phone: profile.phone ?? "",
  });
  const contact = useMutationForm(ConfirmContact, { code: "" });
  const flash = useFlash();
  const pending = profile.pendingEmail ?? profile.pendingPhone;

  const submit = details.onSubmit(async ({ displayName, email, phone }) => {
    flash.clear();
    // Only what changed: a new name needs nothing more, a new e-mail or phone needs "Confirm it's you".
    const input: { displayName?: string; email?: string; phone?: string } = {};
    if (displayName.trim() !== profile.displayName) input.displayName = displayName.trim();
    if (email.trim() !== (profile.email ?? "")) input.email = email.trim();
    if (phone.trim() !== (profile.phone ?? "")) input.phone = phone.trim();
    contact.setFieldErrors({});
    if (!details.check({ displayName: !displayName.trim() && "Enter the name we should use for you." })) return;
    if (Object.keys(input).length === 0) {
      flash.confirm("Nothing to save: your details are as they were.");
      return;
    }
    const data = await details.run({ input });
    if (!data) return;
    const payload = data.updateProfile;
    if (details.refuse(payload.errors)) return;
    const waiting = payload.member?.pendingEmail ?? payload.member?.pendingPhone;
    flash.confirm(
      waiting
        ? `Saved. We sent a code to ${waiting}: enter it below to finish the change.`
        : "Your details are saved.",
    );
    onChanged();
    await refresh();
  });

  const submitCode = contact.onSubmit(async ({ code }) => {
    flash.clear();
    details.setFieldErrors({});
    if (!contact.check({ code: !code.trim() && "Enter the code we sent to your new address or number." })) return;
    const data = await contact.run({ code: code.trim() });
    if (!data) return;
    const payload = data.confirmContactChange;
    if (contact.refuse(payload.errors)) return;
    contact.reset();
    details.setValues({ email: payload.member?.email ?? "", phone: payload.member?.phone ?? "" });
    flash.confirm("Your new contact details are confirmed.");
    onChanged();
    await refresh();
  });

  return (
    <section className="card" aria-labelledby="settings-profile">
      <h2 id="settings-profile">Your details</h2>
      <FlashSlot message={flash.message} />
      <form onSubmit={submit} noValidate>
        <p className="aside">Username: {profile.username}</p>
        <Field label="Display name" autoComplete="name" {...details.field("displayName")} />
        <Field
          label="E-mail"
          type="email"
          autoComplete="email"
          hint={profile.pendingEmail ? `Waiting for the code sent to ${profile.pendingEmail}.` : undefined}
          {...details.field("email")}
        />
        <Field
          label="Phone"
          type="tel"
          autoComplete="tel"
          hint={
            profile.pendingPhone
              ? `Waiting for the code sent to ${profile.pendingPhone}.`
              : "With its country code, like +1 312 555 0142. We text codes and alerts you choose to it."
          }
          {...details.field("phone")}
        />
        <FormActions messages={details.messages} pending={details.pending} submit="Save" />
      </form>
      {pending && (
        <form onSubmit={submitCode} noValidate className="stack">
          <h3>Confirm {profile.pendingEmail ? "your new e-mail address" : "your new phone number"}</h3>
          <CodeField label="Confirmation code" hint={`We sent it to ${pending}.`} {...contact.field("code")} />
          <FormActions messages={contact.messages} pending={contact.pending} submit="Confirm change" />
        </form>
      )}
    </section>
  );
}

function PasswordForm({ profile }: { profile: Profile }) {
  const change = useMutationForm(ChangePassword, { currentPassword: "", newPassword: "" });
  const flash = useFlash();

  const submit = change.onSubmit(async (input) => {
    flash.clear();
    const fine = change.check({
      currentPassword: !input.currentPassword && "Enter the password you use now.",
      newPassword: !input.newPassword && "Choose a new password.",
    });
    if (!fine) return;
    const data = await change.run({ input });
    if (!data) return;
    const payload = data.changePassword;
    if (change.refuse(payload.errors, { INVALID_CREDENTIALS: "That is not your current password." }) || !payload.ok) return;
    change.reset();
    flash.confirm("Your password is changed. Any other device that was signed in has been signed out.");
  });

  return (
    <section className="card" aria-labelledby="settings-password">
      <h2 id="settings-password">Password</h2>
      <FlashSlot message={flash.message} />
      <form onSubmit={submit} noValidate>
        {/* For password managers: which account this new password belongs to. */}
        <input type="text" name="username" autoComplete="username" value={profile.username ?? ""} readOnly hidden />
        <Field
          label="Current password"
          type="password"
          autoComplete="current-password"
          {...change.field("currentPassword")}
        />
        <Field
          label="New password"
          type="password"
          autoComplete="new-password"
          hint={<PasswordRules />}
          {...change.field("newPassword")}
        />
        <FormActions messages={change.messages} pending={change.pending} submit="Change password" />
      </form>
    </section>
  );
}
