import type { DocumentTypeDecoration } from "@graphql-typed-document-node/core";
import { useCallback, useEffect, useRef, useState } from "react";
import { useSession } from "../session/SessionProvider";
import { useStepUp } from "../session/StepUpProvider";
import { ApiError, request } from "./client";
import { requestErrorMessage } from "./messages";

interface QueryState<R> {
  data: R | null;
  error: string | null;
  loading: boolean;
}

/** True when a signed-in page's answer says nobody is signed in (`me: null`): the session ended elsewhere. */
function endsSession(data: unknown): boolean {
  return typeof data === "object" && data !== null && "me" in data && (data as { me: unknown }).me === null;
}

/**
 * Runs a query when mounted and whenever its variables change; `reload` runs it again. An answer of
 * `me: null` while signed in (the session was ended on another device) signs the member out here.
 */
export function useQuery<R, V>(document: DocumentTypeDecoration<R, V>, variables?: V, skip = false) {
  const key = JSON.stringify(variables ?? {});
  const [state, setState] = useState<QueryState<R>>({ data: null, error: null, loading: !skip });
  const [version, setVersion] = useState(0);
  const session = useSession();
  const sessionRef = useRef(session);
  sessionRef.current = session;

  useEffect(() => {
    if (skip) return;
    let live = true;
    setState((current) => ({ ...current, loading: true, error: null }));
    request(document, JSON.parse(key) as V).then(
      (data) => {
        if (!live) return;
        if (sessionRef.current.status === "signedIn" && endsSession(data)) sessionRef.current.forget("server");
        setState({ data, error: null, loading: false });
      },
      (error: unknown) =>
        live && setState((current) => ({ ...current, error: requestErrorMessage(error), loading: false })),
    );
    return () => {
      live = false;
    };
  }, [document, key, skip, version]);

  const reload = useCallback(() => setVersion((current) => current + 1), []);
  return { ...state, reload };
}

/**
 * A mutation that may need a recent second factor: when the gateway answers STEP_UP_REQUIRED,
 * the "Confirm it's you" dialog opens, and once the member has confirmed, the same mutation (same
 * variables, so the same idempotency key) is sent again. Resolves with the data, or null when the
 * request failed as a whole (then `error` says why in words).
 */
export function useMutation<R, V>(document: DocumentTypeDecoration<R, V>) {
  const stepUp = useStepUp();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const run = useCallback(
    async (variables?: V): Promise<R | null> => {
      setPending(true);
      setError(null);
      try {
        for (let attempt = 0; ; attempt += 1) {
          try {
            return await request(document, variables);
          } catch (failure) {
            if (failure instanceof ApiError && failure.code === "STEP_UP_REQUIRED" && attempt < 2) {
              if (await stepUp.confirm()) continue;
              if (mounted.current) setError("Nothing was changed: this needs you to confirm it's you first.");
              return null;
            }
            if (mounted.current) setError(requestErrorMessage(failure));
            return null;
          }
        }
      } finally {
        if (mounted.current) setPending(false);
      }
    },
    [document, stepUp],
  );

  return { run, pending, error, setError };
}
