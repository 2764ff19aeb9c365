import { createContext, useCallback, useContext, useEffect, useId, useMemo, useRef, useState, type FormEvent, type ReactNode } from "react";
import { ApiError, request } from "../api/client";
import { requestErrorMessage, userErrorMessage, waitTime } from "../api/messages";
import { useFlash } from "../components/Flash";
import { Alert, Status } from "../components/Notice";
import { graphql } from "../gql";
import type { Channel } from "../gql/graphql";
import { refocus } from "../lib/focus";
import { passkeysSupported } from "../lib/webauthn";
import { stepUpWithPasskey } from "./passkeyStepUp";
import { useSession } from "./SessionProvider";

const RequestStepUpCode = graphql(`
  mutation RequestStepUpCode($channel: Channel) {
    requestStepUpCode(channel: $channel) {
      challenge {
        id
        sentTo
      }
      errors {
        code
        field
        message
      }
    }
  }
`);

const VerifyStepUp = graphql(`
  mutation VerifyStepUp($code: String!) {
    verifyStepUp(code: $code) {
      session {
        id
        elevatedUntil
      }
      errors {
        code
        field
        message
      }
    }
  }
`);

interface StepUp {
  /** Opens "Confirm it's you"; resolves true once the session is stepped up, false if the member cancels. */
  confirm: () => Promise<boolean>;
}

const StepUpContext = createContext<StepUp | null>(null);

export function StepUpProvider({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const flash = useFlash();
  const waiting = useRef<{ promise: Promise<boolean>; resolve: (ok: boolean) => void } | null>(null);
  // The control the member last used: the button whose request asks for the dialog is disabled (and so has
  // lost focus) by the time the dialog opens, and focus goes back to it when the dialog closes.
  const lastFocused = useRef<HTMLElement | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  useEffect(() => {
    const note = (event: FocusEvent) => {
      if (event.target instanceof HTMLElement && !event.target.closest("dialog")) lastFocused.current = event.target;
    };
    document.addEventListener("focusin", note);
    return () => document.removeEventListener("focusin", note);
  }, []);

  const confirm = useCallback(() => {
    // Requests that need it at the same time share one dialog.
    if (waiting.current) return waiting.current.promise;
    let resolve: (ok: boolean) => void = () => {};
    const promise = new Promise<boolean>((settle) => {
      resolve = settle;
    });
    waiting.current = { promise, resolve };
    const active = document.activeElement;
    opener.current = active instanceof HTMLElement && active !== document.body ? active : lastFocused.current;
    // The dialog's own confirmation is then the only one on the page.
    flash.clear();
    setOpen(true);
    return promise;
  }, [flash.clear]);

  const finish = useCallback((ok: boolean) => {
    const current = waiting.current;
    waiting.current = null;
    setOpen(false);
    current?.resolve(ok);
  }, []);

  const value = useMemo(() => ({ confirm }), [confirm]);
  return (
    <StepUpContext.Provider value={value}>
      {children}
      {open && <StepUpDialog onDone={finish} opener={opener.current} />}
    </StepUpContext.Provider>
  );
}

export function useStepUp(): StepUp {
  const stepUp = useContext(StepUpContext);
  if (!stepUp) throw new Error("useStepUp outside StepUpProvider");
  return stepUp;
}

function StepUpDialog({ onDone, opener }: { onDone: (ok: boolean) => void; opener: HTMLElement | null }) {
  const { me } = useSession();
  const dialog = useRef<HTMLDialogElement>(null);
  const codeInput = useRef<HTMLInputElement>(null);
  const headingId = useId();
  const codeId = useId();
  const [channel, setChannel] = useState<Channel>("EMAIL");
  const [code, setCode] = useState("");
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // A refused or missing code is shown at the Code field; other errors only in the dialog's alert.
  const [codeRefused, setCodeRefused] = useState(false);
  const errorId = useId();
  const [busy, setBusy] = useState(false);
  const hasPasskey = passkeysSupported() && (me?.passkeys?.length ?? 0) > 0;

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => {
      if (opener) refocus(opener);
    };
  }, [opener]);

  const close = (ok: boolean) => {
    dialog.current?.close();
    onDone(ok);
  };

  const sendCode = async () => {
    setBusy(true);
    setError(null);
    setCodeRefused(false);
    try {
      const data = await request(RequestStepUpCode, { channel });
      const payload = data.requestStepUpCode;
      if (payload.errors.length > 0) setError(payload.errors.map((error) => userErrorMessage(error)).join(" "));
      else {
        setSentTo(payload.challenge?.sentTo ?? (channel === "SMS" ? "your phone" : "your e-mail address"));
        codeInput.current?.focus();
      }
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.code === "RATE_LIMITED"
          ? `We have sent you several codes already. Please wait ${waitTime(failure.retryAfter)} before asking for another; a code we sent in the last few minutes still works.`
          : requestErrorMessage(failure),
      );
    } finally {
      setBusy(false);
    }
  };

  const withPasskey = async () => {
    setBusy(true);
    setError(null);
    setCodeRefused(false);
    const refusal = await stepUpWithPasskey();
    setBusy(false);
    if (refusal) setError(refusal);
    else close(true);
  };

  const verify = async (event: FormEvent) => {
    event.preventDefault();
    if (!code.trim()) {
      setError("Enter the code we sent you, or the one your authenticator app shows.");
      setCodeRefused(true);
      return;
    }
    setBusy(true);
    setError(null);
    setCodeRefused(false);
    try {
      const data = await request(VerifyStepUp, { code: code.trim() });
      const payload = data.verifyStepUp;
      if (payload.errors.length > 0) {
        setError(payload.errors.map((error) => userErrorMessage(error)).join(" "));
        setCodeRefused(payload.errors.some((error) => error.field === "code"));
        setBusy(false);
        return;
      }
      close(true);
    } catch (failure) {
      setError(requestErrorMessage(failure));
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={headingId}
      onCancel={(event) => {
        event.preventDefault();
        close(false);
      }}
    >
      <h2 id={headingId}>Confirm it's you</h2>
      {hasPasskey && (
        <p>
          <button type="button" onClick={() => void withPasskey()} disabled={busy}>
            Use your passkey
          </button>
        </p>
      )}
      <p>
        {hasPasskey ? "Or use a one-time code" : "This change needs a one-time code"}. We can send one to you
        {me?.twoFactorEnabled ? ", or you can enter the code your authenticator app shows" : ""}. One of your recovery
        codes works too.
      </p>
      {me?.phone ? (
        <fieldset className="choice">
          <legend>Send the code by</legend>
          <label>
            <input type="radio" name="step-up-channel" checked={channel === "EMAIL"} onChange={() => setChannel("EMAIL")} />{" "}
            E-mail
          </label>
          <label>
            <input type="radio" name="step-up-channel" checked={channel === "SMS"} onChange={() => setChannel("SMS")} />{" "}
            Text message
          </label>
        </fieldset>
      ) : null}
      <p>
        <button type="button" className="secondary" onClick={sendCode} disabled={busy}>
          Send code
        </button>
      </p>
      {sentTo && <Status>We sent a code to {sentTo}. It can take a minute to arrive.</Status>}
      <form onSubmit={verify} noValidate>
        <div className={`field${error && codeRefused ? " has-error" : ""}`}>
          <label htmlFor={codeId}>Code</label>
          <input
            ref={codeInput}
            id={codeId}
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            aria-invalid={error && codeRefused ? true : undefined}
            aria-describedby={error && codeRefused ? errorId : undefined}
            value={code}
            onChange={(event) => setCode(event.target.value)}
          />
        </div>
        {error && <Alert id={errorId}>{error}</Alert>}
        <div className="actions">
          <button type="submit" disabled={busy}>
            Confirm
          </button>
          <button type="button" className="secondary" onClick={() => close(false)}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
