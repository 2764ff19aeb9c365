import { useState, type FormEvent } from "react";
import { useMutation } from "../../api/hooks";
import { splitErrors } from "../../api/messages";
import { Field, SelectField } from "../../components/Field";
import { FlashSlot, useFlash } from "../../components/Flash";
import { Alert, Errors } from "../../components/Notice";
import { graphql } from "../../gql";
import { centsInput, methodName, parseCents } from "../../lib/format";
import { readableReason, type SavedMethod } from "../Billing";

const PayBillMutation = graphql(`
  mutation PayBill($input: PayBillInput!) {
    payBill(input: $input) {
      payment {
        id
        status
        amount {
          formatted
        }
        failureReason
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
  balance: { amount: number; formatted: string } | null;
  methods: readonly SavedMethod[];
  onPaid: () => void;
}

export function PayBill({ balance, methods, onPaid }: Props) {
  const [open, setOpen] = useState(false);
  const [amount, setAmount] = useState("");
  const [methodId, setMethodId] = useState("");
  // One key per filled-in form: a retry (after "Confirm it's you", a double click) is the same payment.
  const [idempotencyKey, setIdempotencyKey] = useState("");
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const flash = useFlash();
  const pay = useMutation(PayBillMutation);
  // The select shows a method even when none was chosen yet (the form opened before any was saved, or
  // the chosen one was removed): pay with the one it shows.
  const chosenId = methods.some((method) => method.id === methodId) ? methodId : preferred(methods);

  const start = () => {
    setOpen(true);
    flash.clear();
    setAmount(balance && balance.amount > 0 ? centsInput(balance.amount) : "");
    setMethodId(preferred(methods));
    setIdempotencyKey(crypto.randomUUID());
    setFieldErrors({});
    setGeneral([]);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const cents = parseCents(amount);
    const problems: Record<string, string> = {};
    if (cents == null || cents <= 0) problems.amount = "Enter an amount in dollars and cents, like 79.99.";
    if (!chosenId) problems.paymentMethodId = "Choose a payment method.";
    setFieldErrors(problems);
    setGeneral([]);
    if (Object.keys(problems).length > 0 || cents == null) return;
    const data = await pay.run({ input: { paymentMethodId: chosenId, amount: cents, idempotencyKey } });
    if (!data) return;
    const payload = data.payBill;
    if (payload.errors.length === 0 && payload.payment && payload.payment.status !== "FAILED") {
      flash.confirm(
        payload.payment.status === "SUCCEEDED"
          ? `Thank you: your payment of ${payload.payment.amount.formatted} went through.`
          : `Thank you: your payment of ${payload.payment.amount.formatted} is being processed.`,
      );
      setOpen(false);
      onPaid();
      return;
    }
    // The processor's reason, in words, where the member chose the method it refused.
    const reason = payload.payment?.failureReason;
    const declined = `The payment was declined${reason ? `: ${readableReason(reason)}` : ""}. Nothing was charged; please try another payment method.`;
    const split = splitErrors(payload.errors, ["amount", "paymentMethodId"], { PAYMENT_DECLINED: declined });
    setFieldErrors(split.byField);
    setGeneral(split.general);
    // A refused attempt is done: the next one is a new payment.
    setIdempotencyKey(crypto.randomUUID());
    // The declined attempt is in the payment history now.
    if (payload.payment) onPaid();
  };

  return (
    <div>
      <FlashSlot message={flash.message} />
      {!open ? (
        <button type="button" onClick={start}>
          Pay bill
        </button>
      ) : methods.length === 0 ? (
        <Alert>Add a payment method below before you pay.</Alert>
      ) : (
        <form onSubmit={submit} noValidate>
          <Field
            label="Amount"
            name="amount"
            inputMode="decimal"
            hint={balance ? `Your balance is ${balance.formatted}.` : undefined}
            value={amount}
            error={fieldErrors.amount}
            onChange={(event) => setAmount(event.target.value)}
          />
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
                {method.isDefault ? " (default)" : ""}
              </option>
            ))}
          </SelectField>
          <Errors messages={[pay.error, ...general]} />
          <div className="actions">
            <button type="submit" disabled={pay.pending}>
              Pay
            </button>
            <button type="button" className="secondary" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

/** The default method, else the first; "" when there is none. */
export function preferred(methods: readonly SavedMethod[]): string {
  return (methods.find((method) => method.isDefault) ?? methods[0])?.id ?? "";
}
