import type { ReactNode } from "react";
import { Alert, Errors, Status } from "./Notice";

interface Props {
  /** The form's errors not shown at a field (`useMutationForm(...).messages`). */
  messages: ReadonlyArray<string | null | undefined>;
  /** A refusal in more than words (links, paragraphs), shown under the messages. */
  refusal?: ReactNode;
  /** What was done, shown above the buttons (a form that stays open after it is sent). */
  status?: ReactNode;
  pending: boolean;
  /** The submit button's text. */
  submit: string;
  /** The submit button does what cannot be undone. */
  danger?: boolean;
  /** More buttons or links after the submit button. */
  children?: ReactNode;
}

/** The end of a form: what was refused, then its buttons, the submit button first (disabled while it runs). */
export function FormActions({ messages, refusal, status, pending, submit, danger = false, children }: Props) {
  return (
    <>
      <Errors messages={messages} />
      {refusal ? <Alert>{refusal}</Alert> : null}
      {status ? <Status>{status}</Status> : null}
      <div className="actions">
        <button type="submit" className={danger ? "danger" : undefined} disabled={pending}>
          {submit}
        </button>
        {children}
      </div>
    </>
  );
}
