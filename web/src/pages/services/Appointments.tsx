import { useEffect, useMemo, useState } from "react";
import { useMutation } from "../../api/hooks";
import { refusalText } from "../../api/messages";
import { Field, SelectField } from "../../components/Field";
import { FlashSlot, useFlash } from "../../components/Flash";
import { FormActions } from "../../components/FormActions";
import { Errors } from "../../components/Notice";
import { graphql } from "../../gql";
import { timeRange, timeZoneName } from "../../lib/format";
import { useMutationForm } from "../../lib/useForm";
import type { Account } from "../Services";

const Schedule = graphql(`
  mutation ScheduleAppointment($input: ScheduleAppointmentInput!) {
    scheduleAppointment(input: $input) {
      appointment {
        id
        startsAt
        endsAt
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

const CancelAppointment = graphql(`
  mutation CancelAppointment($id: ID!) {
    cancelAppointment(id: $id) {
      appointment {
        id
        status
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

type Appointment = NonNullable<Account["appointments"]>[number];

const STATUS_NAMES: Record<string, string> = { SCHEDULED: "Booked", CANCELLED: "Cancelled", DONE: "Done" };

export function Appointments({ account, onChanged }: { account: Account; onChanged: () => void }) {
  const tz = account.timeZone;
  // The windows the gateway offers (its rule: technicians' hours, on the hour, in the future), by day.
  const days = useMemo(() => windowsByDay(account.appointmentWindows ?? [], tz), [account.appointmentWindows, tz]);
  const [chosenDay, setDay] = useState<string | null>(null);
  // startsAt: the chosen window's start, "" until one is chosen.
  const schedule = useMutationForm(Schedule, { reason: "", startsAt: "" });
  const { startsAt } = schedule.values;
  const flash = useFlash();
  const cancel = useMutation(CancelAppointment);
  const [cancelRefusal, setCancelRefusal] = useState<string | null>(null);
  const clearCancelMessages = () => {
    cancel.setError(null);
    setCancelRefusal(null);
  };
  // Another section's confirmation (an outage reported) makes this section's errors stale.
  useEffect(() => {
    if (!flash.elsewhere) return;
    schedule.clearMessages();
    clearCancelMessages();
  }, [flash.elsewhere]);

  const day = days.find((option) => option.value === chosenDay) ?? days[0];
  const windows = day?.windows ?? [];
  const hourFormat = new Intl.DateTimeFormat(undefined, { timeStyle: "short", timeZone: tz });

  const submit = schedule.onSubmit(async ({ reason }) => {
    flash.clear();
    clearCancelMessages();
    const fine = schedule.check({
      reason: !reason.trim() && "Tell us what the technician should look at.",
      startsAt: !windows.some((window) => window.startsAt === startsAt) && "Choose a time window.",
    });
    if (!fine) return;
    const data = await schedule.run({ input: { startsAt, reason: reason.trim() } });
    if (!data) return;
    const payload = data.scheduleAppointment;
    if (schedule.refuse(payload.errors) || !payload.appointment) {
      // Booked meanwhile (in another tab, or by someone else of the household): show it, offer the rest.
      if (payload.errors.some((error) => error.code === "WINDOW_TAKEN")) onChanged();
      return;
    }
    flash.confirm(
      `Your appointment is booked for ${timeRange(payload.appointment.startsAt, payload.appointment.endsAt, tz)}. We will remind you the day before.`,
    );
    schedule.reset();
    onChanged();
  });

  const cancelOne = async (appointment: Appointment) => {
    flash.clear();
    clearCancelMessages();
    schedule.clearMessages();
    const data = await cancel.run({ id: appointment.id });
    if (!data) return;
    if (data.cancelAppointment.errors.length > 0) {
      setCancelRefusal(refusalText(data.cancelAppointment.errors));
      return;
    }
    flash.confirm(`Your appointment on ${timeRange(appointment.startsAt, appointment.endsAt, tz)} is cancelled.`);
    onChanged();
  };

  const upcoming = (account.appointments ?? []).filter(
    (item) => item.status === "SCHEDULED" && new Date(item.endsAt).getTime() > Date.now(),
  );
  const past = (account.appointments ?? []).filter((item) => !upcoming.includes(item));

  return (
    <section className="card" aria-labelledby="svc-appointments">
      <h2 id="svc-appointments">Appointments</h2>
      <FlashSlot message={flash.message} />
      <Errors messages={[cancel.error, cancelRefusal]} />
      {upcoming.length > 0 ? (
        <ul className="plain">
          {upcoming.map((appointment) => (
            <li key={appointment.id}>
              {/* Each button's description says which appointment it cancels. */}
              <p id={`appointment-${appointment.id}`} className="free-text">
                <strong>{timeRange(appointment.startsAt, appointment.endsAt, tz)}</strong>
                <br />
                {appointment.reason}
              </p>
              <button
                type="button"
                className="danger-secondary small"
                aria-describedby={`appointment-${appointment.id}`}
                disabled={cancel.pending}
                onClick={() => void cancelOne(appointment)}
              >
                Cancel appointment
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p>No appointment booked.</p>
      )}
      {past.length > 0 && (
        <details>
          <summary>Past and cancelled appointments</summary>
          <ul className="plain">
            {past.map((appointment) => (
              <li key={appointment.id} className="free-text">
                {timeRange(appointment.startsAt, appointment.endsAt, tz)}: {appointment.reason} (
                {STATUS_NAMES[appointment.status] ?? appointment.status})
              </li>
            ))}
          </ul>
        </details>
      )}

      <h3>Book a technician</h3>
      <form onSubmit={submit} noValidate>
        <Field
          label="Reason"
          maxLength={500}
          hint="What should the technician look at? For example: “Wi-Fi drops in the evenings”."
          {...schedule.field("reason")}
        />
        <SelectField
          label="Day"
          name="day"
          value={day?.value ?? ""}
          onChange={(event) => {
            setDay(event.target.value);
            schedule.setValues({ startsAt: "" });
          }}
        >
          {days.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </SelectField>
        <fieldset className={`choice${schedule.fieldErrors.startsAt ? " has-error" : ""}`} aria-describedby={schedule.fieldErrors.startsAt ? "window-error" : undefined}>
          <legend>Time window</legend>
          <p className="hint">Times are in {timeZoneName(tz)}. A technician arrives within the window.</p>
          {windows.length === 0 && <p>No visits can be booked in the next three weeks. Please call us.</p>}
          {windows.map((window) => (
            <label key={window.startsAt}>
              <input
                type="radio"
                name="window"
                checked={startsAt === window.startsAt}
                onChange={() => schedule.setValues({ startsAt: window.startsAt })}
              />{" "}
              {hourFormat.format(new Date(window.startsAt))} to {hourFormat.format(new Date(window.endsAt))}
            </label>
          ))}
          {schedule.fieldErrors.startsAt && (
            <p id="window-error" className="field-error" role="alert">
              {schedule.fieldErrors.startsAt}
            </p>
          )}
        </fieldset>
        <FormActions messages={schedule.messages} pending={schedule.pending} submit="Schedule appointment" />
      </form>
    </section>
  );
}

type Window = NonNullable<Account["appointmentWindows"]>[number];

/** The windows grouped by their calendar day in the account's time zone, soonest first. */
function windowsByDay(windows: readonly Window[], timeZone: string) {
  const key = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  const label = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeZone });
  const days: { value: string; label: string; windows: Window[] }[] = [];
  for (const window of windows) {
    const start = new Date(window.startsAt);
    const value = key.format(start);
    const last = days[days.length - 1];
    if (last?.value === value) last.windows.push(window);
    else days.push({ value, label: label.format(start), windows: [window] });
  }
  return days;
}
