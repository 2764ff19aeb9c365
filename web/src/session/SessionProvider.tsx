import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { onSignedOut, request } from "../api/client";
import { MeQuery, SignOutMutation, type Me } from "./me";

type Status = "loading" | "signedIn" | "signedOut" | "unreachable";
/** Why the member is signed out: they chose to (here or everywhere), or the server ended the session. */
export type SignedOutBy = "member" | "everywhere" | "server" | null;

interface Session {
  status: Status;
  me: Me | null;
  signedOutBy: SignedOutBy;
  /**
   * After signIn / verifySignIn / activateMember answered a member: the cookies are set, so `me` is
   * read again (the payload's member cannot show self-only fields in the request that signs in).
   */
  signedIn: () => Promise<boolean>;
  /** Reads `me` again (after a profile change, or to retry when the server was unreachable). */
  refresh: () => Promise<void>;
  signOut: () => Promise<void>;
  /** Forget the member locally, after the session ended. */
  forget: (by?: SignedOutBy) => void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [status, setStatus] = useState<Status>("loading");
  const [signedOutBy, setSignedOutBy] = useState<SignedOutBy>(null);

  const load = useCallback(async (): Promise<boolean> => {
    try {
      const data = await request(MeQuery);
      setMe(data.me ?? null);
      setStatus(data.me ? "signedIn" : "signedOut");
      return !!data.me;
    } catch {
      setStatus((current) => (current === "loading" ? "unreachable" : current));
      return false;
    }
  }, []);
  const refresh = useCallback(async () => {
    await load();
  }, [load]);

  const forget = useCallback((by: SignedOutBy = "server") => {
    setMe(null);
    setStatus("signedOut");
    setSignedOutBy(by);
  }, []);

  useEffect(() => {
    void refresh();
    return onSignedOut(() => forget("server"));
  }, [refresh, forget]);

  const signedIn = useCallback(async () => {
    setSignedOutBy(null);
    return load();
  }, [load]);

  const signOut = useCallback(async () => {
    try {
      await request(SignOutMutation);
    } finally {
      forget("member");
    }
  }, [forget]);

  const value = useMemo(
    () => ({ status, me, signedOutBy, signedIn, refresh, signOut, forget }),
    [status, me, signedOutBy, signedIn, refresh, signOut, forget],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}

/** The signed-in member; only for pages rendered inside the signed-in layout. */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error("useMe while signed out");
  return me;
}
