import { useState } from "react";
import { useMutation, useQuery } from "../api/hooks";
import { refusalText } from "../api/messages";
import { CodeField, Field, PasswordRules } from "../components/Field";
import { FlashSlot, useFlash } from "../components/Flash";
import { FormActions } from "../components/FormActions";
import { Errors, Loading } from "../components/Notice";
import { Page } from "../components/Page";
import { graphql } from "../gql";
import type { Channel, SettingsQuery } from "../gql/graphql";
import { useMutationForm } from "../lib/useForm";
import { useSession } from "../session/SessionProvider";

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

const UpdatePreferences = graphql(`
  mutation UpdateNotificationPreferences($input: NotificationPreferencesInput!) {
    updateNotificationPreferences(input: $input) {
      notificationPreferences {
        billing
        serviceChanges
        outages
        security
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

type Profile = NonNullable<SettingsQuery["me"]>;

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

type Category = "billing" | "serviceChanges" | "outages" | "security";
type Preferences = Record<Category, Channel[]>;

const CATEGORIES: ReadonlyArray<{ key: Category; name: string; noun: string; about: string }> = [
  { key: "billing", name: "Billing", noun: "billing messages", about: "Statements, payment receipts and autopay results." },
  {
    key: "serviceChanges",
    name: "Service changes",
    noun: "service change messages",
    about: "Changes to your plans, and appointment reminders.",
  },
  { key: "outages", name: "Outages", noun: "outage messages", about: "Outages in your area and when service is back." },
  {
    key: "security",
    name: "Security",
    noun: "security alerts",
    about: "New sign-ins and changes to your sign-in. Always by e-mail.",
  },
];
const CHANNELS: ReadonlyArray<{ channel: Channel; name: string }> = [
  { channel: "EMAIL", name: "e-mail" },
  { channel: "SMS", name: "text message" },
];

function Preferences({ profile }: { profile: Profile }) {
  const initial = profile.notificationPreferences;
  const [prefs, setPrefs] = useState<Preferences | null>(
    initial
      ? {
          billing: [...initial.billing],
          serviceChanges: [...initial.serviceChanges],
          outages: [...initial.outages],
          security: [...initial.security],
        }
      : null,
  );
  const [refusal, setRefusal] = useState<string | null>(null);
  const flash = useFlash();
  const save = useMutation(UpdatePreferences);
  if (!prefs) return null;

  // Each box saves at once: there is no separate button to forget.
  const toggle = async (category: Category, channel: Channel, on: boolean) => {
    const before = prefs;
    const chosen = on ? [...prefs[category], channel] : prefs[category].filter((item) => item !== channel);
    const next = { ...prefs, [category]: chosen };
    setPrefs(next);
    setRefusal(null);
    flash.clear();
    const data = await save.run({ input: { [category]: chosen } });
    const payload = data?.updateNotificationPreferences;
    if (!payload || payload.errors.length > 0 || !payload.notificationPreferences) {
      setPrefs(before);
      if (payload) setRefusal(refusalText(payload.errors));
      return;
    }
    const saved = payload.notificationPreferences;
    setPrefs({
      billing: [...saved.billing],
      serviceChanges: [...saved.serviceChanges],
      outages: [...saved.outages],
      security: [...saved.security],
    });
    const noun = CATEGORIES.find((item) => item.key === category)?.noun ?? "messages";
    const how = CHANNELS.find((item) => item.channel === channel)?.name ?? "";
    flash.confirm(`Saved: you will ${on ? "now" : "no longer"} get ${noun} by ${how}.`);
  };

  return (
    <section className="card" aria-labelledby="settings-notifications">
      <h2 id="settings-notifications">Notifications</h2>
      <p>Choose how we tell you about each kind of news. Changes are saved as you tick or untick a box.</p>
      {!profile.phone && <p className="aside">Add a phone number above to get text messages.</p>}
      <FlashSlot message={flash.message} />
      <Errors messages={[save.error, refusal]} />
      <div className="prefs">
        {CATEGORIES.map((category) => (
          <fieldset key={category.key} className="choice">
            <legend>{category.name}</legend>
            <p className="hint">{category.about}</p>
            {CHANNELS.map(({ channel, name }) => {
              const locked = category.key === "security" && channel === "EMAIL";
              return (
                <label key={channel} className="check">
                  <input
                    type="checkbox"
                    checked={prefs[category.key].includes(channel)}
                    disabled={locked || save.pending || (channel === "SMS" && !profile.phone)}
                    onChange={(event) => void toggle(category.key, channel, event.target.checked)}
                  />{" "}
                  {category.name} by {name}
                </label>
              );
            })}
          </fieldset>
        ))}
      </div>
    </section>
  );
}
