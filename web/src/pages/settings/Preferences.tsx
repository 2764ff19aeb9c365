import { useState } from "react";
import { useMutation } from "../../api/hooks";
import { refusalText } from "../../api/messages";
import { FlashSlot, useFlash } from "../../components/Flash";
import { Errors } from "../../components/Notice";
import { graphql } from "../../gql";
import type { Channel } from "../../gql/graphql";
import { refocus } from "../../lib/focus";
import type { Profile } from "../Settings";

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

export function Preferences({ profile }: { profile: Profile }) {
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
  // `box` is disabled while it saves, like the others, and so loses focus: it gets it back once saved.
  const toggle = async (category: Category, channel: Channel, on: boolean, box: HTMLInputElement) => {
    const before = prefs;
    const chosen = on ? [...prefs[category], channel] : prefs[category].filter((item) => item !== channel);
    const next = { ...prefs, [category]: chosen };
    setPrefs(next);
    setRefusal(null);
    flash.clear();
    const data = await save.run({ input: { [category]: chosen } });
    refocus(box);
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
                    onChange={(event) => void toggle(category.key, channel, event.target.checked, event.currentTarget)}
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
