import { useState, type FormEvent } from "react";
import { useMutation } from "../../api/hooks";
import { splitErrors, userErrorMessage } from "../../api/messages";
import { Field, SelectField } from "../../components/Field";
import { FlashSlot, useFlash } from "../../components/Flash";
import { Errors } from "../../components/Notice";
import { graphql } from "../../gql";
import { centsInput, methodName, parseCents } from "../../lib/format";
import type { BillingAccount, SavedMethod } from "../Billing";
import { daysText } from "./NextPayment";
import { preferred } from "./PayBill";

const Enroll = graphql(`
  mutation EnrollAutopay($input: EnrollAutopayInput!) {
    enrollAutopay(input: $input) {
      autopay {
        enabled
      }
      errors {
        code
        field
        message
      }
    }
  }
`);

const Cancel = graphql(`
  mutation CancelAutopay {
    cancelAutopay {
      autopay {
        enabled
      }
      errors {
        code
        field
        message
      }
    }
  }
`);

interface Props {
  autopay: BillingAccount["autopay"];
  methods: readonly SavedMethod[];
  canManage: boolean;
  onChanged: () => void;
}

export function AutopaySection({ autopay, methods, canManage, onChanged }: Props) {
  const [editing, setEditing] = useState(false);
  const [methodId, setMethodId] = useState("");
  const [days, setDays] = useState("0");
  const [ceiling, setCeiling] = useState("");
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const flash = useFlash();
  const enroll = useMutation(Enroll);
  const cancel = useMutation(Cancel);
  const on = !!autopay?.enabled;
  // As in PayBill: the method the select shows, also when the chosen one is gone or none was chosen yet.
  const chosenId = methods.some((method) => method.id === methodId) ? methodId : preferred(methods);

  const start = () => {
    setEditing(true);
    flash.clear();
    setFieldErrors({});
    setGeneral([]);
    const current = on ? autopay?.paymentMethod?.id : undefined;
    setMethodId(current ?? preferred(methods));
    setDays(String(autopay?.daysBeforeDue ?? 0));
    setCeiling(autopay?.maxAmount ? centsInput(autopay.maxAmount.amount) : "");
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    const dayCount = Number(days);
    if (!chosenId) problems.paymentMethodId = "Choose a payment method.";
    if (!/^\d+$/.test(days.trim()) || dayCount > 28) problems.daysBeforeDue = "Enter a number of days from 0 to 28.";
    const maxAmount = ceiling.trim() ? parseCents(ceiling) : null;
    if (ceiling.trim() && (maxAmount == null || maxAmount <= 0))
      problems.maxAmount = "Enter an amount in dollars and cents, like 150.00, or leave it empty.";
    setFieldErrors(problems);
    setGeneral([]);
    if (Object.keys(problems).length > 0) return;
    const data = await enroll.run({ input: { paymentMethodId: chosenId, daysBeforeDue: dayCount, maxAmount } });
    if (!data) return;
    const payload = data.enrollAutopay;
    if (payload.errors.length > 0) {
      const split = splitErrors(payload.errors, ["paymentMethodId", "daysBeforeDue", "maxAmount"]);
      setFieldErrors(split.byField);
      setGeneral(split.general);
      return;
    }
    setEditing(false);
    flash.confirm("Autopay is on.");
    onChanged();
  };

  const turnOff = async () => {
    flash.clear();
    setGeneral([]);
    const data = await cancel.run();
    if (!data) return;
    if (data.cancelAutopay.errors.length > 0) {
      setGeneral(data.cancelAutopay.errors.map((error) => userErrorMessage(error)));
      return;
    }
    flash.confirm("Autopay is off. Remember to pay your bills yourself.");
    onChanged();
  };

  return (
    <section className="card" aria-labelledby="bill-autopay">
      <h2 id="bill-autopay">Autopay</h2>
      <FlashSlot message={flash.message} />
      <p>
        {on && autopay ? (
          <>
            Autopay is on: it pays each statement{" "}
            {autopay.daysBeforeDue === 0 ? "on its due date" : `${daysText(autopay.daysBeforeDue)} before its due date`}
            {autopay.paymentMethod ? ` with ${methodName(autopay.paymentMethod)}` : ""}
            {autopay.maxAmount ? `, up to ${autopay.maxAmount.formatted}` : ""}.
          </>
        ) : (
          "Autopay is off."
        )}
      </p>
      <Errors messages={[enroll.error, cancel.error, ...(editing ? [] : general)]} />
      {canManage && !editing && (
        <div className="actions">
          <button type="button" onClick={start}>
            {on ? "Change autopay" : "Set up autopay"}
          </button>
          {on && (
            <button type="button" className="secondary" onClick={() => void turnOff()} disabled={cancel.pending}>
              Turn off autopay
            </button>
          )}
        </div>
      )}
      {!canManage && <p className="aside">Your access does not include changing autopay.</p>}
      {editing &&
        (methods.length === 0 ? (
          <p>Add a payment method first.</p>
        ) : (
          <form onSubmit={submit} noValidate>
            <SelectField
              label="Payment method"
              name="paymentMethodId"
              value={chosenId}
              error={fieldErrors.paymentMethodId}
              onChange={(event) => setMethodId(event.target.value)}
            >
              {methods.map((method) => (
                <option key={method.id} value={method.id}>
                  {methodName(method)}
                </option>
              ))}
            </SelectField>
            <Field
              label="Days before due date"
              name="daysBeforeDue"
              inputMode="numeric"
              hint="0 pays on the due date; at most 28."
              value={days}
              error={fieldErrors.daysBeforeDue}
              onChange={(event) => setDays(event.target.value)}
            />
            <Field
              label="Maximum amount"
              name="maxAmount"
              inputMode="decimal"
              hint="Optional. A statement above this is not paid automatically; we tell you instead."
              value={ceiling}
              error={fieldErrors.maxAmount}
              onChange={(event) => setCeiling(event.target.value)}
            />
            <Errors messages={general} />
            <div className="actions">
              <button type="submit" disabled={enroll.pending}>
                Turn on autopay
              </button>
              <button type="button" className="secondary" onClick={() => setEditing(false)}>
                Cancel
              </button>
            </div>
          </form>
        ))}
    </section>
  );
}
