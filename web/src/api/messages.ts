import { graphql } from "../gql";
import { ApiError } from "./client";

/** What every mutation's payload answers in `errors { ...UserErrorFields }`. */
export const UserErrorFields = graphql(`
  fragment UserErrorFields on UserError {
    code
    field
    message
  }
`);

/** A payload error as every mutation answers it. */
export interface UserErrorShape {
  code: string;
  field: string | null;
  message: string;
}

/** What a member reads for a request that failed as a whole: never a raw code. */
export function requestErrorMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return "Something went wrong in this page. Please reload it and try again.";
  switch (error.code) {
    case "UNAUTHENTICATED":
      return "You are signed out. Please sign in again.";
    case "FORBIDDEN":
      return "Your access to this account does not allow this. The account's primary member can change that.";
    case "STEP_UP_REQUIRED":
      return "Please confirm it's you first, then try again.";
    case "RATE_LIMITED":
      return waitMessage(error.retryAfter);
    case "QUERY_TOO_COMPLEX":
      return "That request was too large for us to answer. Please reload the page.";
    case "BAD_USER_INPUT":
    case "BAD_REQUEST":
      return "Some of what was sent could not be read. Please check it and try again.";
    case "NETWORK":
      return "We could not reach the server. Check your connection and try again.";
    default:
      return "Something went wrong on our side. Please try again in a moment.";
  }
}

export function waitMessage(seconds: number | null): string {
  return `Too many attempts. Please wait ${waitTime(seconds)} and try again.`;
}

/** "45 seconds", "3 minutes", or "a little" when the server did not say. */
export function waitTime(seconds: number | null): string {
  if (seconds == null || seconds <= 0) return "a little";
  if (seconds === 1) return "1 second";
  return seconds < 120 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
}

// Codes whose message from the gateway is already the specific, member-facing reason (password
// strength, username rules, amounts, times); the others get the wording below.
const SPECIFIC = new Set(["RECOVERY_CODE_REQUIRED", "WEAK_PASSWORD", "INVALID_USERNAME", "INVALID_INPUT", "INVALID_AMOUNT", "INVALID_TIME"]);

const WORDS: Record<string, string> = {
  INVALID_CREDENTIALS: "The username or password is not right.",
  ACCOUNT_LOCKED: "Signing in is locked for a while after too many wrong passwords.",
  ACCOUNT_DISABLED: "This sign-in can no longer be used. If you did not expect this, contact us.",
  INVALID_TOKEN: "This link is not valid any more: it may have expired or been used already.",
  INVALID_CODE: "That code is not right, or it has expired. Check it, or ask for a new code.",
  WEAK_PASSWORD: "Choose a stronger password.",
  INVALID_USERNAME: "Use 3 to 32 letters, digits, dots, dashes or underscores.",
  USERNAME_TAKEN: "This username is taken. Please choose another.",
  EMAIL_TAKEN: "Someone on this account already uses this e-mail address. Enter the person's own address.",
  INVALID_EMAIL: "Enter an e-mail address like name@example.com.",
  INVALID_PHONE: "Enter a phone number with its country code, like +1 555 010 0100.",
  WRONG_SECURITY_ANSWER: "That answer is not the one you gave when you set up your account.",
  INVALID_PERMISSION: "That access level cannot be given to this kind of user.",
  INVALID_ROLE: "That permission level cannot be chosen here.",
  NOT_FOUND: "We could not find that any more. Please reload the page.",
  INVALID_INPUT: "Please check what you entered.",
  INVALID_STATUS: "This cannot be done in its current state. Please reload the page.",
  INVALID_TIME_ZONE: "Choose a time zone from the list.",
  INVALID_CHANNEL: "We cannot send a code that way: you have no confirmed phone number.",
  TOTP_ALREADY_ENABLED: "Two-factor sign-in is on already.",
  TOTP_NOT_ENROLLED: "Set up two-factor sign-in first, then enter the code from your app.",
  RECOVERY_CODE_REQUIRED: "Turning two-factor sign-in off here needs one of your recovery codes.",
  INVALID_PASSKEY: "The passkey could not be checked. Please try again.",
  INVALID_PAYMENT_TOKEN: "That payment method could not be added. Please try another.",
  PAYMENT_DECLINED: "The payment was declined. Please try another payment method.",
  INVALID_AMOUNT: "Enter an amount above zero and no more than the balance.",
  NOTHING_TO_PAY: "There is nothing to pay right now.",
  IDEMPOTENCY_KEY_REUSED: "This payment was already sent with different details. Please start again.",
  PAYMENT_METHOD_IN_USE: "Autopay uses this payment method. Turn off autopay or change its method first.",
  PAYMENTS_UNAVAILABLE: "Payments are not available right now. Please try again later.",
  INVALID_TIME: "Choose one of the offered times.",
  TOO_MANY_APPOINTMENTS: "You have as many appointments booked as allowed. Cancel one first.",
  WINDOW_TAKEN: "You have a visit booked in this time window already. Please choose another one.",
};

/** What a member reads for one payload error. */
export function userErrorMessage(error: UserErrorShape, overrides: Record<string, string> = {}): string {
  const override = overrides[error.code];
  if (override) return override;
  if (SPECIFIC.has(error.code) && error.message) return error.message;
  return WORDS[error.code] ?? "That could not be done. Please check what you entered and try again.";
}

/** Payload errors split by the input field they concern, and the rest. */
export function splitErrors(
  errors: readonly UserErrorShape[],
  fields: readonly string[],
  overrides: Record<string, string> = {},
): { byField: Record<string, string>; general: string[] } {
  const byField: Record<string, string> = {};
  const general: string[] = [];
  for (const error of errors) {
    const message = userErrorMessage(error, overrides);
    if (error.field && fields.includes(error.field) && !byField[error.field]) byField[error.field] = message;
    else general.push(message);
  }
  return { byField, general };
}

/** The words for a payload's errors, as one sentence after another ("" when there are none). */
export function refusalText(errors: readonly UserErrorShape[]): string {
  return errors.map((error) => userErrorMessage(error)).join(" ");
}
