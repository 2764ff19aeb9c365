import { useState } from "react";
import { Field, SelectField } from "../../components/Field";
import { FlashSlot, useFlash } from "../../components/Flash";
import { FormActions } from "../../components/FormActions";
import { Alert } from "../../components/Notice";
import { graphql } from "../../gql";
import { centsInput, methodName, parseCents } from "../../lib/format";
import { useReturnFocus } from "../../lib/focus";
import { useMutationForm, type FieldBinding } from "../../lib/useForm";
import type { SavedMethod } from "../Billing";

const PayBillMutation = graphql(`
  mutation PayBill($input: PayBillInput!) {
    payBill(input: $input) {
      payment {
        id
        status
        amount {
          formatted
        }
        failureMessage
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

interface Props {
  balance: { amount: number; formatted: string } | null;
  methods: readonly SavedMethod[];
  onPaid: () => void;
}

export function PayBill({ balance, methods, onPaid }: Props) {
  const [open, setOpen] = useState(false);
  // One key per filled-in form: a retry (after "Confirm it's you", a double click) is the same payment.
  const [idempotencyKey, setIdempotencyKey] = useState("");
  const pay = useMutationForm(PayBillMutation, { amount: "", paymentMethodId: "" });
  const flash = useFlash();
  // The select shows a method even when none was chosen yet (the form opened before any was saved, or
  // the chosen one was removed): pay with the one it shows.
  const chosenId = shownMethod(methods, pay.values.paymentMethodId);
  const opener = useReturnFocus<HTMLButtonElement>(open);
  const close = () => {
    opener.closed();
    setOpen(false);
  };

  const start = () => {
    setOpen(true);
    flash.clear();
    pay.reset({
      amount: balance && balance.amount > 0 ? centsInput(balance.amount) : "",
      paymentMethodId: preferred(methods),
    });
    setIdempotencyKey(crypto.randomUUID());
  };

  const submit = pay.onSubmit(async ({ amount }) => {
    const cents = parseCents(amount);
    const fine = pay.check({
      amount: (cents == null || cents <= 0) && "Enter an amount in dollars and cents, like 79.99.",
      paymentMethodId: !chosenId && "Choose a payment method.",
    });
    if (!fine || cents == null) return;
    const data = await pay.run({ input: { paymentMethodId: chosenId, amount: cents, idempotencyKey } });
    if (!data) return;
    const payload = data.payBill;
    if (payload.errors.length === 0 && payload.payment && payload.payment.status !== "FAILED") {
      flash.confirm(
        payload.payment.status === "SUCCEEDED"
          ? `Thank you: your payment of ${payload.payment.amount.formatted} went through.`
          : `Thank you: your payment of ${payload.payment.amount.formatted} is being processed.`,
      );
      close();
      onPaid();
      return;
    }
    // The processor's reason in a sentence (never its code), where the member chose the method it refused.
    const reason = payload.payment?.failureMessage ?? "Your payment did not go through.";
    const declined = `Nothing was charged. ${reason}`;
    pay.refuse(payload.errors, { PAYMENT_DECLINED: declined });
    // A refused attempt is done: the next one is a new payment.
    setIdempotencyKey(crypto.randomUUID());
    // The declined attempt is in the payment history now.
    if (payload.payment) onPaid();
  });

  return (
    <div>
      <FlashSlot message={flash.message} />
      {!open ? (
        <button type="button" ref={opener.ref} onClick={start}>
          Pay bill
        </button>
      ) : methods.length === 0 ? (
        <Alert>Add a payment method below before you pay.</Alert>
      ) : (
        <form onSubmit={submit} noValidate>
          <Field
            label="Amount"
            inputMode="decimal"
            autoFocus
            hint={balance ? `Your balance is ${balance.formatted}.` : undefined}
            {...pay.field("amount")}
          />
          <MethodSelect methods={methods} markDefault {...pay.field("paymentMethodId")} value={chosenId} />
          <FormActions messages={pay.messages} pending={pay.pending} submit="Pay">
            <button type="button" className="secondary" onClick={close}>
              Cancel
            </button>
          </FormActions>
        </form>
      )}
    </div>
  );
}

/** The default method, else the first; "" when there is none. */
export function preferred(methods: readonly SavedMethod[]): string {
  return (methods.find((method) => method.isDefault) ?? methods[0])?.id ?? "";
}

/** The method a select shows: the chosen one while it is saved, else the preferred one. */
export function shownMethod(methods: readonly SavedMethod[], chosenId: string): string {
  return methods.some((method) => method.id === chosenId) ? chosenId : preferred(methods);
}

/** "Payment method": a choice of the saved methods (`markDefault`: the default one says so). */
export function MethodSelect({
  methods,
  markDefault = false,
  autoFocus = false,
  ...binding
}: FieldBinding & { methods: readonly SavedMethod[]; markDefault?: boolean; autoFocus?: boolean }) {
  return (
    <SelectField label="Payment method" autoFocus={autoFocus} {...binding}>
      {methods.map((method) => (
        <option key={method.id} value={method.id}>
          {methodName(method)}
          {markDefault && method.isDefault ? " (default)" : ""}
        </option>
      ))}
    </SelectField>
  );
}
