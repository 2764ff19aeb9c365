import { useEffect, useRef } from "react";

/**
 * Focus back on `element` once it can take it again (a control is disabled while its request runs), unless
 * the member has moved focus elsewhere meanwhile.
 */
export function refocus(element: HTMLElement, triesLeft = 120): void {
  if (!element.isConnected) return;
  if (!(element as HTMLButtonElement | HTMLInputElement).disabled) {
    const active = document.activeElement;
    if (active === null || active === document.body || active === element) element.focus();
    return;
  }
  if (triesLeft > 0) requestAnimationFrame(() => refocus(element, triesLeft - 1));
}

/**
 * For a button that opens a form in its place: `ref` goes on the button, and `closed()` is called as the
 * form closes, so focus returns to the button when it is back instead of falling to the page.
 */
export function useReturnFocus<T extends HTMLElement>(open: boolean) {
  const ref = useRef<T>(null);
  const pending = useRef(false);
  useEffect(() => {
    if (open || !pending.current) return;
    pending.current = false;
    if (ref.current) refocus(ref.current);
  }, [open]);
  return {
    ref,
    closed: () => {
      pending.current = true;
    },
  };
}
