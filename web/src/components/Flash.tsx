import { createContext, useCallback, useContext, useEffect, useId, useMemo, useState, type ReactNode } from "react";
import { useLocation } from "react-router";
import { Status } from "./Notice";

interface Shown {
  owner: string;
  message: ReactNode;
}

interface Flash {
  shown: Shown | null;
  show: (shown: Shown | null) => void;
}

const FlashContext = createContext<Flash | null>(null);

/**
 * One confirmation at a time on a page: a section that confirms something replaces what another
 * section confirmed before, and opening another page clears it.
 */
export function FlashProvider({ children }: { children: ReactNode }) {
  const [shown, show] = useState<Shown | null>(null);
  const { pathname } = useLocation();
  useEffect(() => show(null), [pathname]);
  const value = useMemo(() => ({ shown, show }), [shown]);
  return <FlashContext.Provider value={value}>{children}</FlashContext.Provider>;
}

/** `confirm(message)` shows a role="status" where this hook's caller renders `<flash.Slot />`. */
export function useFlash() {
  const context = useContext(FlashContext);
  if (!context) throw new Error("useFlash outside FlashProvider");
  const owner = useId();
  const { shown, show } = context;
  const mine = shown?.owner === owner ? shown.message : null;
  const confirm = useCallback((message: ReactNode) => show({ owner, message }), [owner, show]);
  const clear = useCallback(() => show(null), [show]);
  // What another section confirmed last (a new object at each confirmation): a section clears its own
  // errors then, as they are about an earlier try.
  const elsewhere = shown && shown.owner !== owner ? shown : null;
  return { message: mine, confirm, clear, elsewhere };
}

export function FlashSlot({ message }: { message: ReactNode }) {
  return message ? <Status>{message}</Status> : null;
}
