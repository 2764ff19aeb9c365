import { useCallback, useEffect, useRef, useState } from "react";
import { request } from "../../api/client";
import { requestErrorMessage, type UserErrorShape } from "../../api/messages";
import { graphql } from "../../gql";
import { autofillAvailable, getPasskey, passkeyFailure, passkeysSupported } from "../../lib/webauthn";

const BeginPasskeySignIn = graphql(`
  mutation BeginPasskeySignIn {
    beginPasskeySignIn {
      options
      errors {
        ...UserErrorFields
      }
    }
  }
`);

const FinishPasskeySignIn = graphql(`
  mutation FinishPasskeySignIn($credential: String!) {
    finishPasskeySignIn(credential: $credential) {
      member {
        id
      }
      lockedUntil
      errors {
        ...UserErrorFields
      }
    }
  }
`);

interface Handlers {
  /** The gateway opened a session. */
  onSignedIn: () => Promise<void>;
  /** The gateway refused the passkey (or the account). */
  onRefused: (errors: readonly UserErrorShape[], lockedUntil: string | null) => void;
  /** The browser's or the request's failure, in words. */
  onFailure: (message: string) => void;
}

/**
 * Signing in with a discoverable passkey, no username needed: offered in the username field's autofill
 * (conditional mediation) while the form is shown, and by `start()` (the "Sign in with a passkey"
 * button), which stops the autofill's request first: a browser runs one WebAuthn request at a time.
 */
export function usePasskeySignIn(active: boolean, handlers: Handlers) {
  const [pending, setPending] = useState(false);
  const [round, setRound] = useState(0);
  const autofill = useRef<AbortController | null>(null);
  const latest = useRef(handlers);
  latest.current = handlers;

  const finish = useCallback(async (credential: string) => {
    const data = await request(FinishPasskeySignIn, { credential });
    const payload = data.finishPasskeySignIn;
    if (payload.member) await latest.current.onSignedIn();
    else latest.current.onRefused(payload.errors, payload.lockedUntil);
  }, []);

  const options = useCallback(async (quiet = false): Promise<string | null> => {
    const data = await request(BeginPasskeySignIn);
    const payload = data.beginPasskeySignIn;
    if (payload.errors.length > 0 || !payload.options) {
      if (!quiet) latest.current.onRefused(payload.errors, null);
      return null;
    }
    return payload.options;
  }, []);

  useEffect(() => {
    if (!active || !passkeysSupported()) return;
    const controller = new AbortController();
    autofill.current = controller;
    void (async () => {
      // A background offer: when the browser or the gateway can't make it, the form simply goes on
      // without it. Only what happens after the member picked a passkey is said.
      let credential: string;
      try {
        if (!(await autofillAvailable()) || controller.signal.aborted) return;
        const json = await options(true);
        if (!json || controller.signal.aborted) return;
        credential = await getPasskey(json, { conditional: true, signal: controller.signal });
      } catch {
        return;
      }
      if (controller.signal.aborted) return;
      setPending(true);
      try {
        await finish(credential);
      } catch (error) {
        latest.current.onFailure(describe(error));
      } finally {
        setPending(false);
      }
    })();
    return () => {
      controller.abort();
      if (autofill.current === controller) autofill.current = null;
    };
  }, [active, round, options, finish]);

  const start = useCallback(async () => {
    autofill.current?.abort();
    setPending(true);
    try {
      const json = await options();
      if (!json) return;
      await finish(await getPasskey(json));
    } catch (error) {
      latest.current.onFailure(describe(error));
    } finally {
      setPending(false);
      // The autofill offer again, for another try.
      setRound((count) => count + 1);
    }
  }, [options, finish]);

  return { supported: passkeysSupported(), pending, start };
}

function describe(error: unknown): string {
  return error instanceof DOMException ? passkeyFailure(error) : requestErrorMessage(error);
}
