/**
 * Passkeys in the browser: the gateway's WebAuthn options (JSON) in, the credential's JSON out. The
 * browser's own PublicKeyCredential.parse*OptionsFromJSON and credential.toJSON() when it has them
 * (Chromium does), else the same conversions by hand (base64url <-> bytes).
 */

type Json = Record<string, unknown>;

interface JsonCapableCredential {
  parseCreationOptionsFromJSON?: (options: Json) => PublicKeyCredentialCreationOptions;
  parseRequestOptionsFromJSON?: (options: Json) => PublicKeyCredentialRequestOptions;
  isConditionalMediationAvailable?: () => Promise<boolean>;
}

function native(): JsonCapableCredential | null {
  return typeof window !== "undefined" && "PublicKeyCredential" in window
    ? (window.PublicKeyCredential as unknown as JsonCapableCredential)
    : null;
}

/** This browser can create and use passkeys at all. */
export function passkeysSupported(): boolean {
  return native() !== null && !!navigator.credentials;
}

/** The browser offers passkeys in a username field's autofill (conditional mediation). */
export async function autofillAvailable(): Promise<boolean> {
  const credential = native();
  if (!credential?.isConditionalMediationAvailable) return false;
  try {
    return await credential.isConditionalMediationAvailable();
  } catch {
    return false;
  }
}

export function toBytes(base64url: string): ArrayBuffer {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(base64url.length / 4) * 4, "=");
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes.buffer;
}

export function toBase64url(buffer: ArrayBuffer | ArrayBufferView): string {
  const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function descriptors(list: unknown): PublicKeyCredentialDescriptor[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return (list as Json[]).map((item) => ({ ...item, id: toBytes(String(item.id)) }) as PublicKeyCredentialDescriptor);
}

function creationOptions(json: Json): PublicKeyCredentialCreationOptions {
  const parse = native()?.parseCreationOptionsFromJSON;
  if (parse) return parse(json);
  const user = json.user as Json;
  return {
    ...(json as unknown as PublicKeyCredentialCreationOptions),
    challenge: toBytes(String(json.challenge)),
    user: { ...(user as unknown as PublicKeyCredentialUserEntity), id: toBytes(String(user.id)) },
    excludeCredentials: descriptors(json.excludeCredentials),
  };
}

function requestOptions(json: Json): PublicKeyCredentialRequestOptions {
  const parse = native()?.parseRequestOptionsFromJSON;
  if (parse) return parse(json);
  return {
    ...(json as unknown as PublicKeyCredentialRequestOptions),
    challenge: toBytes(String(json.challenge)),
    allowCredentials: descriptors(json.allowCredentials),
  };
}

/** The credential as JSON (WebAuthn Level 3's toJSON, or its shape by hand). */
function credentialJson(credential: PublicKeyCredential): string {
  const withJson = credential as PublicKeyCredential & { toJSON?: () => unknown };
  if (typeof withJson.toJSON === "function") return JSON.stringify(withJson.toJSON());
  const response = credential.response as AuthenticatorResponse & Record<string, unknown>;
  const encoded: Json = { clientDataJSON: toBase64url(response.clientDataJSON) };
  for (const key of ["attestationObject", "authenticatorData", "signature", "userHandle"]) {
    const value = response[key];
    if (value instanceof ArrayBuffer) encoded[key] = toBase64url(value);
  }
  if (typeof response.getTransports === "function") encoded.transports = (response.getTransports as () => string[])();
  return JSON.stringify({
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response: encoded,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
  });
}

/** Creates a passkey for the gateway's registration options; the new credential's JSON. */
export async function createPasskey(optionsJson: string): Promise<string> {
  const publicKey = creationOptions(JSON.parse(optionsJson) as Json);
  const credential = await navigator.credentials.create({ publicKey });
  if (!(credential instanceof PublicKeyCredential)) throw new DOMException("No passkey was made.", "NotAllowedError");
  return credentialJson(credential);
}

/**
 * Asks for a passkey for the gateway's sign-in or step-up options; the assertion's JSON.
 * `conditional`: offered in the username field's autofill instead of a dialog, until `signal` aborts.
 */
export async function getPasskey(optionsJson: string, { conditional = false, signal }: { conditional?: boolean; signal?: AbortSignal } = {}): Promise<string> {
  const publicKey = requestOptions(JSON.parse(optionsJson) as Json);
  const credential = await navigator.credentials.get({
    publicKey,
    signal,
    ...(conditional ? { mediation: "conditional" as CredentialMediationRequirement } : {}),
  });
  if (!(credential instanceof PublicKeyCredential)) throw new DOMException("No passkey was used.", "NotAllowedError");
  return credentialJson(credential);
}

/** What a member reads when the browser's passkey step failed (not the gateway's refusal). */
export function passkeyFailure(error: unknown): string {
  if (error instanceof DOMException) {
    if (error.name === "NotAllowedError" || error.name === "AbortError")
      return "No passkey was used: the request was cancelled or timed out. Try again when you are ready.";
    if (error.name === "InvalidStateError") return "This device already holds a passkey for your account.";
    if (error.name === "NotSupportedError") return "This browser or device cannot use passkeys.";
    if (error.name === "SecurityError") return "Passkeys cannot be used on this address of the portal.";
  }
  return "The passkey step did not work. Please try again.";
}
