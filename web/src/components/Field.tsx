import { useId, type ChangeEvent, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from "react";

interface Described {
  label: string;
  hint?: ReactNode;
  error?: string | null | undefined;
}

function describedBy(id: string, hint: ReactNode, error: string | null | undefined): string | undefined {
  return [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
}

function Extras({ id, hint, error }: { id: string; hint: ReactNode; error: string | null | undefined }) {
  return (
    <>
      {hint ? (
        <div id={`${id}-hint`} className="hint">
          {hint}
        </div>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}

/** A labelled input with its hint and its error, both tied to it by aria-describedby. */
export function Field({ label, hint, error, id, className, ...input }: Described & InputHTMLAttributes<HTMLInputElement>) {
  const generated = useId();
  const fieldId = id ?? generated;
  return (
    <div className={`field${error ? " has-error" : ""}${className ? ` ${className}` : ""}`}>
      <label htmlFor={fieldId}>{label}</label>
      <input
        id={fieldId}
        aria-describedby={describedBy(fieldId, hint, error)}
        aria-invalid={error ? true : undefined}
        {...input}
      />
      <Extras id={fieldId} hint={hint} error={error} />
    </div>
  );
}

/** The one-time-code input ("Code" unless told): digits on a phone's keyboard, filled from a text message. */
export function CodeField({ label = "Code", ...rest }: Partial<Described> & InputHTMLAttributes<HTMLInputElement>) {
  return <Field label={label} inputMode="numeric" autoComplete="one-time-code" {...rest} />;
}

/** A username (or e-mail) input: typed as it is (no capitals, no spelling fixes), filled by password managers. */
export function UsernameField(props: Described & InputHTMLAttributes<HTMLInputElement>) {
  return <Field autoComplete="username" autoCapitalize="none" spellCheck={false} {...props} />;
}

interface RadioFieldProps {
  legend: string;
  hint?: ReactNode;
  error?: string | null | undefined;
  name: string;
  value: string;
  options: ReadonlyArray<{ value: string; label: ReactNode }>;
  onChange: (event: ChangeEvent<HTMLInputElement>) => void;
}

/** A choice of one: radio buttons under a legend, with a hint and an error the group is described by. */
export function RadioField({ legend, hint, error, name, value, options, onChange }: RadioFieldProps) {
  const errorId = `${useId()}-error`;
  return (
    <fieldset className={`choice${error ? " has-error" : ""}`} aria-describedby={error ? errorId : undefined}>
      <legend>{legend}</legend>
      {hint ? <p className="hint">{hint}</p> : null}
      {options.map((option) => (
        <label key={option.value}>
          <input
            type="radio"
            name={name}
            value={option.value}
            checked={value === option.value}
            aria-invalid={error ? true : undefined}
            onChange={onChange}
          />{" "}
          {option.label}
        </label>
      ))}
      {error ? (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

export function SelectField({
  label,
  hint,
  error,
  id,
  children,
  ...select
}: Described & SelectHTMLAttributes<HTMLSelectElement>) {
  const generated = useId();
  const fieldId = id ?? generated;
  return (
    <div className={`field${error ? " has-error" : ""}`}>
      <label htmlFor={fieldId}>{label}</label>
      <select
        id={fieldId}
        aria-describedby={describedBy(fieldId, hint, error)}
        aria-invalid={error ? true : undefined}
        {...select}
      >
        {children}
      </select>
      <Extras id={fieldId} hint={hint} error={error} />
    </div>
  );
}

export function TextAreaField({
  label,
  hint,
  error,
  id,
  ...area
}: Described & React.TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const generated = useId();
  const fieldId = id ?? generated;
  return (
    <div className={`field${error ? " has-error" : ""}`}>
      <label htmlFor={fieldId}>{label}</label>
      <textarea
        id={fieldId}
        aria-describedby={describedBy(fieldId, hint, error)}
        aria-invalid={error ? true : undefined}
        {...area}
      />
      <Extras id={fieldId} hint={hint} error={error} />
    </div>
  );
}

/** The password policy, shown before the member types (models/security/passwords.py). */
export function PasswordRules() {
  return (
    <ul className="rules">
      <li>12 to 128 characters; a few unrelated words make a good one.</li>
      <li>Not a common password or one that is easy to guess.</li>
      <li>Not containing your name, username or e-mail address.</li>
    </ul>
  );
}
