import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { refocus } from "../lib/focus";

interface Props {
  /** The question, in words that say what doing it changes. */
  children: ReactNode;
  /** The button that does it ("Yes, remove"); none when it cannot be done, only explained. */
  confirm?: string;
  /** The button that changes nothing; it takes focus as the box opens, so Enter never does harm by accident. */
  cancel?: string;
  pending?: boolean;
  onConfirm?: () => void;
  onCancel: () => void;
}

/** The "are you sure?" box shown in place of a button that does what cannot be undone; Escape cancels. */
export function Confirm({ children, confirm, cancel = "Keep", pending = false, onConfirm, onCancel }: Props) {
  const questionId = useId();
  const escape = (event: KeyboardEvent) => {
    if (event.key !== "Escape") return;
    event.preventDefault();
    onCancel();
  };
  return (
    <div className="notice confirm-box" role="group" aria-labelledby={questionId} onKeyDown={escape}>
      <p id={questionId}>{children}</p>
      <div className="actions">
        {confirm && onConfirm && (
          <button type="button" className="danger" disabled={pending} onClick={onConfirm}>
            {confirm}
          </button>
        )}
        <button type="button" className="secondary" autoFocus onClick={onCancel}>
          {cancel}
        </button>
      </div>
    </div>
  );
}

/**
 * Which confirmation is open (`K` names the buttons that open one), and focus back on the button that opened
 * it when it is cancelled, once that button is shown again. `opener(key)` is the ref of that button.
 */
export function useConfirm<K extends string>() {
  const [asking, setAsking] = useState<K | null>(null);
  const [returning, setReturning] = useState<K | null>(null);
  const openers = useRef(new Map<K, HTMLElement>());
  useEffect(() => {
    if (returning === null) return;
    const opener = openers.current.get(returning);
    if (opener) refocus(opener);
    setReturning(null);
  }, [returning]);
  const opener = useCallback(
    (key: K) => (element: HTMLElement | null) => {
      if (element) openers.current.set(key, element);
    },
    [],
  );
  return {
    asking,
    ask: setAsking,
    opener,
    /** Closed without doing it: focus goes back to its button. */
    cancel: () => {
      setReturning(asking);
      setAsking(null);
    },
    /** Closed because it was done. */
    close: () => setAsking(null),
  };
}
