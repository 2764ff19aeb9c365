import { request } from "../api/client";
import { requestErrorMessage, userErrorMessage } from "../api/messages";
import { graphql } from "../gql";
import { getPasskey, passkeyFailure } from "../lib/webauthn";

const BeginPasskeyStepUp = graphql(`
  mutation BeginPasskeyStepUp {
    beginPasskeyStepUp {
      options
      errors {
        code
        field
        message
      }
    }
  }
`);

const VerifyStepUpWithPasskey = graphql(`
  mutation VerifyStepUpWithPasskey($credential: String!) {
    verifyStepUpWithPasskey(credential: $credential) {
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

const PASSKEY_REFUSED = "That passkey was not accepted. Try again, or use a code instead.";

/** Steps the session up with one of the member's passkeys: null when done, else why not, in words. */
export async function stepUpWithPasskey(): Promise<string | null> {
  try {
    const begun = (await request(BeginPasskeyStepUp)).beginPasskeyStepUp;
    if (begun.errors.length > 0 || !begun.options)
      return begun.errors.map((error) => userErrorMessage(error)).join(" ") || "Your passkey can't be used now.";
    let credential: string;
    try {
      credential = await getPasskey(begun.options);
    } catch (failure) {
      return passkeyFailure(failure);
    }
    const payload = (await request(VerifyStepUpWithPasskey, { credential })).verifyStepUpWithPasskey;
    if (payload.errors.length === 0) return null;
    const words = { INVALID_PASSKEY: PASSKEY_REFUSED, INVALID_CREDENTIALS: PASSKEY_REFUSED };
    return payload.errors.map((error) => userErrorMessage(error, words)).join(" ");
  } catch (failure) {
    return requestErrorMessage(failure);
  }
}
