import type { DocumentTypeDecoration } from "@graphql-typed-document-node/core";
import { useCallback, useRef, useState, type ChangeEvent, type FormEvent } from "react";
import { useMutation } from "../api/hooks";
import { splitErrors, type UserErrorShape } from "../api/messages";

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** What a field's problem check gives: a message, or a falsy value when the field is fine. */
export type Problems = Partial<Record<string, string | false | null | undefined>>;

/** The props that tie a Field, SelectField or TextAreaField to one value of a form. */
export interface FieldBinding {
  name: string;
  value: string;
  error: string | undefined;
  onChange: (event: ChangeEvent<Control>) => void;
}

/**
 * A form's text values, the message shown at each field, and the messages not about one field.
 * `fields` are the names the gateway's `errors { field }` may carry that are shown at a field
 * (by default the values' names); any other refusal is general.
 */
export function useForm<V extends Record<string, string>>(initial: V, fields?: readonly string[]) {
  const first = useRef(initial);
  const [values, setAll] = useState<V>(initial);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<string, string>>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const names = fields ?? Object.keys(first.current);

  const setValues = useCallback((next: Partial<V>) => setAll((current) => ({ ...current, ...next })), []);

  const field = <K extends keyof V & string>(name: K): FieldBinding => ({
    name,
    value: values[name] ?? "",
    error: fieldErrors[name],
    onChange: (event) => setValues({ [name]: event.target.value } as Partial<V>),
  });

  /** Shows the client's own problems at their fields and clears the general ones; true when there are none. */
  const check = (problems: Problems = {}): boolean => {
    const shown: Record<string, string> = {};
    for (const [name, message] of Object.entries(problems)) if (message) shown[name] = message;
    setFieldErrors(shown);
    setGeneral([]);
    return Object.keys(shown).length === 0;
  };

  /** Shows a payload's `errors` at their fields or as general ones; true when there were any. */
  const refuse = (errors: readonly UserErrorShape[], overrides?: Record<string, string>): boolean => {
    if (errors.length === 0) return false;
    const split = splitErrors(errors, names, overrides);
    setFieldErrors(split.byField);
    setGeneral(split.general);
    return true;
  };

  /** New values (the first ones by default), and no messages. */
  const reset = (next: V = first.current) => {
    setAll(next);
    setFieldErrors({});
    setGeneral([]);
  };

  /** An onSubmit handler: no page load, then `handler` with the values as they were submitted. */
  const onSubmit = (handler: (submitted: V) => unknown) => (event: FormEvent) => {
    event.preventDefault();
    void handler(values);
  };

  return { values, setValues, field, fieldErrors, setFieldErrors, general, setGeneral, check, refuse, reset, onSubmit };
}

/**
 * `useForm` with the mutation it submits (`useMutation`: the step-up dialog and its retry with the
 * same variables included). `pending` disables the submit button; `messages` are what the form's
 * `<Errors>` shows: the request's failure as a whole, then the refusals not about one field.
 */
export function useMutationForm<R, A, V extends Record<string, string>>(
  document: DocumentTypeDecoration<R, A>,
  initial: V,
  fields?: readonly string[],
) {
  const form = useForm(initial, fields);
  const mutation = useMutation(document);
  /** No messages, at the fields or general, the request's failure included; the values stay. */
  const clearMessages = () => {
    form.setFieldErrors({});
    form.setGeneral([]);
    mutation.setError(null);
  };
  return {
    ...form,
    run: mutation.run,
    pending: mutation.pending,
    error: mutation.error,
    messages: [mutation.error, ...form.general],
    clearMessages,
  };
}
