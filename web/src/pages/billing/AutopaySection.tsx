import { useState } from "react";
import { useMutation } from "../../api/hooks";
import { userErrorMessage } from "../../api/messages";
import { Confirm, useConfirm } from "../../components/Confirm";
import { Field } from "../../components/Field";
import { FlashSlot, useFlash } from "../../components/Flash";
import { FormActions } from "../../components/FormActions";
import { Errors } from "../../components/Notice";
import { graphql } from "../../gql";
import { calendarDate, centsInput, methodName, parseCents } from "../../lib/format";
import { useReturnFocus } from "../../lib/focus";
import { useMutationForm } from "../../lib/useForm";
import type { BillingAccount, SavedMethod } from "../Billing";
import { daysText } from "./NextPayment";
import { MethodSelect, preferred, shownMethod } from "./PayBill";

const Enroll = graphql(`
  mutation EnrollAutopay($input: EnrollAutopayInput!) {
    enrollAutopay(input: $input) {
      autopay {
        enabled
      }
      errors {
        ...UserErrorFields
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
        ...UserErrorFields
      }
    }
  }
`);

interface Props {
  autopay: BillingAccount["autopay"];
  next: BillingAccount["nextPayment"];
  methods: readonly SavedMethod[];
  canManage: boolean;
  onChanged: () => void;
}

export function AutopaySection({ autopay, next, methods, canManage, onChanged }: Props) {
  const [editing, setEditing] = useState(false);
  // The form's refusals not about one field also say why turning autopay off was refused.
  const enroll = useMutationForm(Enroll, { paymentMethodId: "", daysBeforeDue: "0", maxAmount: "" });
  const cancel = useMutation(Cancel);
  const confirming = useConfirm<"off">();
  const flash = useFlash();
  const on = !!autopay?.enabled;
  // As in PayBill: the method the select shows, also when the chosen one is gone or none was chosen yet.
  const chosenId = shownMethod(methods, enroll.values.paymentMethodId);
  const opener = useReturnFocus<HTMLButtonElement>(editing);
  const stopEditing = () => {
    opener.closed();
    setEditing(false);
  };

  const start = () => {
    setEditing(true);
    flash.clear();
    const current = on ? autopay?.paymentMethod?.id : undefined;
    enroll.reset({
      paymentMethodId: current ?? preferred(methods),
      daysBeforeDue: String(autopay?.daysBeforeDue ?? 0),
      maxAmount: autopay?.maxAmount ? centsInput(autopay.maxAmount.amount) : "",
    });
  };

  const submit = enroll.onSubmit(async ({ daysBeforeDue: days, maxAmount: ceiling }) => {
    const dayCount = Number(days);
    const maxAmount = ceiling.trim() ? parseCents(ceiling) : null;
    const fine = enroll.check({
      paymentMethodId: !chosenId && "Choose a payment method.",
      daysBeforeDue: (!/^\d+$/.test(days.trim()) || dayCount > 28) && "Enter a number of days from 0 to 28.",
      maxAmount:
        !!ceiling.trim() &&
        (maxAmount == null || maxAmount <= 0) &&
        "Enter an amount in dollars and cents, like 150.00, or leave it empty.",
    });
    if (!fine) return;
    const data = await enroll.run({ input: { paymentMethodId: chosenId, daysBeforeDue: dayCount, maxAmount } });
    if (!data || enroll.refuse(data.enrollAutopay.errors)) return;
    stopEditing();
    flash.confirm("Autopay is on.");
    onChanged();
  });

  const turnOff = async () => {
    flash.clear();
    enroll.setGeneral([]);
    const data = await cancel.run();
    confirming.close();
    if (!data) return;
    if (data.cancelAutopay.errors.length > 0) {
      enroll.setGeneral(data.cancelAutopay.errors.map((error) => userErrorMessage(error)));
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
      <Errors messages={[enroll.error, cancel.error, ...(editing ? [] : enroll.general)]} />
      {canManage && !editing && confirming.asking === null && (
        <div className="actions">
          <button type="button" ref={opener.ref} onClick={start}>
            {on ? "Change autopay" : "Set up autopay"}
          </button>
          {on && (
            <button
              type="button"
              className="secondary"
              ref={confirming.opener("off")}
              onClick={() => {
                flash.clear();
                confirming.ask("off");
              }}
            >
              Turn off autopay
            </button>
          )}
        </div>
      )}
      {confirming.asking === "off" && (
        <Confirm confirm="Yes, turn off" pending={cancel.pending} onConfirm={() => void turnOff()} onCancel={confirming.cancel}>
          Turn off autopay?{" "}
          {next?.autopay
            ? `Your next bill of ${next.amount.formatted} due ${calendarDate(next.dueDate)} will not be paid automatically: you will need to pay it yourself.`
            : "Your bills will no longer be paid automatically: you will need to pay each one yourself."}
        </Confirm>
      )}
      {!canManage && <p className="aside">Your access does not include changing autopay.</p>}
      {editing &&
        (methods.length === 0 ? (
          <p>Add a payment method first.</p>
        ) : (
          <form onSubmit={submit} noValidate>
            <MethodSelect methods={methods} autoFocus {...enroll.field("paymentMethodId")} value={chosenId} />
            <Field
              label="Days before due date"
              inputMode="numeric"
              hint="0 pays on the due date; at most 28."
              {...enroll.field("daysBeforeDue")}
            />
            <Field
              label="Maximum amount"
              inputMode="decimal"
              hint="Optional. A statement above this is not paid automatically; we tell you instead."
              {...enroll.field("maxAmount")}
            />
            <FormActions messages={enroll.general} pending={enroll.pending} submit="Turn on autopay">
              <button type="button" className="secondary" onClick={stopEditing}>
                Cancel
              </button>
            </FormActions>
          </form>
        ))}
    </section>
  );
}
