import type { DocumentTypeDecoration } from "@graphql-typed-document-node/core";

/** One GraphQL error as the gateway sends it; `extensions.code` says what kind. */
export interface GraphQLErrorShape {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; retryAfter?: number };
}

/** A request that failed as a whole: a GraphQL error (by its code), or no usable answer (NETWORK). */
export class ApiError extends Error {
  readonly code: string;
  readonly retryAfter: number | null;
  readonly errors: readonly GraphQLErrorShape[];

  constructor(code: string, message: string, errors: readonly GraphQLErrorShape[] = [], retryAfter?: number) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.errors = errors;
    this.retryAfter = typeof retryAfter === "number" ? retryAfter : null;
  }
}

export const CSRF_COOKIE = "csrf";
export const CSRF_HEADER = "x-csrf-token";

/** The double-submit token the gateway set next to the HttpOnly session cookie, if any. */
export function csrfToken(): string | null {
  for (const part of document.cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === CSRF_COOKIE) return decodeURIComponent(rest.join("="));
  }
  return null;
}

type Listener = () => void;
const signedOutListeners = new Set<Listener>();

/** Called whenever the gateway answers UNAUTHENTICATED: the session has ended (expired, revoked). */
export function onSignedOut(listener: Listener): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

/**
 * Runs a typed GraphQL document against the same-origin gateway with the session cookie and its
 * CSRF header. Resolves with the data; rejects with an ApiError when the answer carries any
 * GraphQL error (the pages build their queries so that a member never asks for what they may not
 * read) or when there is no usable answer.
 */
export async function request<TResult, TVariables>(
  document: DocumentTypeDecoration<TResult, TVariables>,
  variables?: TVariables,
): Promise<TResult> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json",
  };
  const csrf = csrfToken();
  if (csrf) headers[CSRF_HEADER] = csrf;
  let response: Response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      credentials: "same-origin",
      headers,
      body: JSON.stringify({ query: document.toString(), variables: variables ?? {} }),
    });
  } catch {
    throw new ApiError("NETWORK", "The server could not be reached.");
  }
  let body: { data?: TResult | null; errors?: GraphQLErrorShape[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new ApiError(response.status >= 500 ? "INTERNAL" : "NETWORK", `HTTP ${response.status}`);
  }
  const errors = body.errors ?? [];
  if (errors.length > 0) {
    const first = errors[0]!;
    const code = first.extensions?.code ?? "INTERNAL";
    if (code === "UNAUTHENTICATED") signedOutListeners.forEach((listener) => listener());
    throw new ApiError(code, first.message, errors, first.extensions?.retryAfter);
  }
  if (body.data == null) throw new ApiError("INTERNAL", `HTTP ${response.status} without data`);
  return body.data;
}
