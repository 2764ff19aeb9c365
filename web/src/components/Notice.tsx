import type { ReactNode } from "react";

/** An error, announced at once. */
export function Alert({ children, id }: { children: ReactNode; id?: string }) {
  return (
    <div role="alert" className="notice notice-error" id={id}>
      {children}
    </div>
  );
}

/** A confirmation, announced politely. */
export function Status({ children }: { children: ReactNode }) {
  return (
    <div role="status" className="notice notice-ok">
      {children}
    </div>
  );
}

/** Errors of a request, or nothing. */
export function Errors({ messages }: { messages: ReadonlyArray<string | null | undefined> }) {
  const shown = messages.filter((message): message is string => !!message);
  if (shown.length === 0) return null;
  return <Alert>{shown.length === 1 ? shown[0] : <ul>{shown.map((message) => <li key={message}>{message}</li>)}</ul>}</Alert>;
}

export function Loading({ what = "Loading" }: { what?: string }) {
  return <p className="loading">{what}…</p>;
}
