import { useRef, useState } from "react";
import { useMutation } from "../../api/hooks";
import { refusalText, type UserErrorShape } from "../../api/messages";
import { Confirm, useConfirm } from "../../components/Confirm";
import { RadioField } from "../../components/Field";
import { FlashSlot, useFlash } from "../../components/Flash";
import { FormActions } from "../../components/FormActions";
import { Errors } from "../../components/Notice";
import { graphql } from "../../gql";
import { methodName } from "../../lib/format";
import { useMutationForm } from "../../lib/useForm";
import type { PaymentSetup, SavedMethod } from "../Billing";
import { CardField, type CardHandle } from "./CardField";

const AddMethod = graphql(`
  mutation AddPaymentMethod($input: AddPaymentMethodInput!) {
    addPaymentMethod(input: $input) {
      paymentMethod {
        id
        kind
        brand
        last4
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

const RemoveMethod = graphql(`
  mutation RemovePaymentMethod($id: ID!) {
    removePaymentMethod(id: $id) {
      ok
      errors {
        ...UserErrorFields
      }
    }
  }
`);

const MakeDefault = graphql(`
  mutation SetDefaultPaymentMethod($id: ID!) {
    setDefaultPaymentMethod(id: $id) {
      paymentMethod {
        id
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

// The sandbox processor's test tokens (models/billing/processor.py): what its client-side tokenization
// would hand back. With Stripe, its Card Element (CardField) replaces this choice.
const SANDBOX_METHODS = [
  { value: "tok_visa", label: "Test Visa card ending 4242 (pays)" },
  { value: "tok_mastercard", label: "Test Mastercard ending 4444 (pays)" },
  { value: "btok_checking", label: "Test bank account ending 6789 (pays)" },
  { value: "tok_chargeDeclined", label: "Test Visa card ending 0002 (always declined)" },
  { value: "tok_insufficientFunds", label: "Test Visa card ending 9995 (insufficient funds)" },
] as const;

interface Props {
  methods: readonly SavedMethod[];
  setup: PaymentSetup;
  autopayMethodId: string | null;
  canManage: boolean;
  onChanged: () => void;
}

export function PaymentMethods({ methods, setup, autopayMethodId, canManage, onChanged }: Props) {
  const stripe = setup.processor === "STRIPE";
  const card = useRef<CardHandle>(null);
  // While Stripe.js makes the PaymentMethod, before the mutation is sent: Save stays disabled.
  const [tokenizing, setTokenizing] = useState(false);
  const [adding, setAdding] = useState(false);
  // Nothing chosen until the member chooses: a method is added on purpose, never by default.
  const add = useMutationForm(AddMethod, { processorToken: "" });
  const [makeDefault, setMakeDefault] = useState(methods.length === 0);
  const flash = useFlash();
  // Why a row's action was refused; the add form's refusals not about the method are shown in the same place.
  const [refusal, setRefusal] = useState<string | null>(null);
  const remove = useMutation(RemoveMethod);
  // The method whose removal is being asked about, by id.
  const confirming = useConfirm<string>();
  const setDefault = useMutation(MakeDefault);

  const submit = add.onSubmit(async ({ processorToken }) => {
    setRefusal(null);
    flash.clear();
    let token: string | null = processorToken;
    if (stripe) {
      setTokenizing(true);
      token = (await card.current?.paymentMethod()) ?? null;
      setTokenizing(false);
      add.check();
      if (!token) return;
    } else if (!add.check({ processorToken: !processorToken && "Choose the payment method to add." })) return;
    const data = await add.run({ input: { processorToken: token, makeDefault } });
    if (!data) return;
    const payload = data.addPaymentMethod;
    if (add.refuse(payload.errors) || !payload.paymentMethod) return;
    flash.confirm(`${methodName(payload.paymentMethod)} was added.`);
    setAdding(false);
    onChanged();
  });

  /** A row's action: its refusal in words, or `done` confirmed and the list read again. */
  const rowAction = async (send: () => Promise<{ errors: readonly UserErrorShape[] } | undefined>, done: string) => {
    setRefusal(null);
    add.setGeneral([]);
    flash.clear();
    const payload = await send();
    if (!payload) return;
    if (payload.errors.length > 0) {
      setRefusal(refusalText(payload.errors));
      return;
    }
    flash.confirm(done);
    onChanged();
  };

  const removeOne = async (method: SavedMethod) => {
    await rowAction(async () => (await remove.run({ id: method.id }))?.removePaymentMethod, `${methodName(method)} was removed.`);
    confirming.close();
  };

  const defaultOne = (method: SavedMethod) =>
    rowAction(
      async () => (await setDefault.run({ id: method.id }))?.setDefaultPaymentMethod,
      `${methodName(method)} is now your default.`,
    );

  return (
    <section className="card" aria-labelledby="bill-methods">
      <h2 id="bill-methods">Payment methods</h2>
      <FlashSlot message={flash.message} />
      <Errors messages={[add.error, remove.error, setDefault.error, ...add.general, refusal]} />
      {methods.length === 0 ? (
        <p>No saved payment methods.</p>
      ) : (
        <ul className="plain">
          {methods.map((method) => (
            <li key={method.id}>
              <strong>{methodName(method)}</strong>
              {method.expMonth && method.expYear ? `, expires ${String(method.expMonth).padStart(2, "0")}/${method.expYear}` : ""}{" "}
              {method.isDefault && <span className="badge">Default</span>}{" "}
              {method.id === autopayMethodId && <span className="badge">Autopay</span>}
              {canManage && confirming.asking !== method.id && (
                <div className="row-actions">
                  {!method.isDefault && (
                    <button
                      type="button"
                      className="secondary small"
                      aria-label={`Make default: ${methodName(method)}`}
                      onClick={() => void defaultOne(method)}
                    >
                      Make default
                    </button>
                  )}
                  <button
                    type="button"
                    className="danger-secondary small"
                    aria-label={`Remove ${methodName(method)}`}
                    ref={confirming.opener(method.id)}
                    onClick={() => {
                      flash.clear();
                      setRefusal(null);
                      confirming.ask(method.id);
                    }}
                  >
                    Remove
                  </button>
                </div>
              )}
              {confirming.asking === method.id &&
                (method.id === autopayMethodId ? (
                  <Confirm onCancel={confirming.cancel}>
                    {methodName(method)} can't be removed while autopay pays your bills with it. To remove it, change
                    autopay's payment method or turn off autopay first.
                  </Confirm>
                ) : (
                  <Confirm
                    confirm="Yes, remove"
                    pending={remove.pending}
                    onConfirm={() => void removeOne(method)}
                    onCancel={confirming.cancel}
                  >
                    Remove {methodName(method)}? {removalEffect(method, methods)}
                  </Confirm>
                ))}
            </li>
          ))}
        </ul>
      )}
      {canManage &&
        (adding ? (
          <form onSubmit={submit} noValidate>
            {stripe ? (
              <CardField
                publishableKey={setup.publishableKey}
                stripeJsUrl={setup.stripeJsUrl}
                refused={add.fieldErrors.processorToken}
                ref={card}
              />
            ) : (
              <RadioField
                legend="Payment method to add"
                hint="The sandbox payment processor's test methods (development only)."
                options={SANDBOX_METHODS}
                {...add.field("processorToken")}
                onChange={(event) => {
                  add.setValues({ processorToken: event.target.value });
                  add.setFieldErrors({});
                }}
              />
            )}
            <label className="check">
              <input type="checkbox" checked={makeDefault} onChange={(event) => setMakeDefault(event.target.checked)} /> Make
              it my default payment method
            </label>
            {/* Its refusals are shown above the list, with the rows' (add.general). */}
            <FormActions messages={[]} pending={add.pending || tokenizing} submit="Save">
              <button type="button" className="secondary" onClick={() => setAdding(false)}>
                Cancel
              </button>
            </FormActions>
          </form>
        ) : (
          <button
            type="button"
            onClick={() => {
              setAdding(true);
              flash.clear();
              setRefusal(null);
              add.reset();
              setMakeDefault(methods.length === 0);
            }}
          >
            Add payment method
          </button>
        ))}
    </section>
  );
}

/** What else changes when `method` is removed: the server makes the newest other method the default. */
function removalEffect(method: SavedMethod, methods: readonly SavedMethod[]): string {
  const others = methods.filter((other) => other.id !== method.id);
  // The list comes oldest first.
  const newest = others.at(-1);
  if (!newest) return "You will have no saved payment method left: to pay a bill you will need to add one.";
  if (method.isDefault) return `${methodName(newest)} becomes your default payment method.`;
  return "It will no longer be offered when you pay a bill; to use it again you will need to add it again.";
}
