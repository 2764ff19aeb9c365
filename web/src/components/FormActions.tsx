import type { ReactNode } from "react";
import { Alert, Errors } from "./Notice";

interface Props {
  /** The form's errors not shown at a field (`useMutationForm(...).messages`). */
  messages: ReadonlyArray<string | null | undefined>;
  /** A refusal in more than words (links, paragraphs), shown under the messages. */
  refusal?: ReactNode;
  pending: boolean;
  /** The submit button's text. */
  submit: string;
  /** More buttons or links after the submit button. */
  children?: ReactNode;
}

/** The end of a form: what was refused, then its buttons, the submit button first (disabled while it runs). */
export function FormActions({ messages, refusal, pending, submit, children }: Props) {
  return (
    <>
      <Errors messages={messages} />
      {refusal ? <Alert>{refusal}</Alert> : null}
      <div className="actions">
        <button type="submit" disabled={pending}>
          {submit}
        </button>
        {children}
      </div>
    </>
  );
}
