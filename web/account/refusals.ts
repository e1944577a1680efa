import { ApiError } from "../shared/api.ts";

/** The session is gone (ended, expired, signed out elsewhere): the page goes back to sign-in. */
export function endsSession(error: unknown): boolean {
  return error instanceof ApiError && (error.code === "session_required" || error.code === "second_factor_required");
}

function wait(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

const PLAIN_WORDS: Record<string, string> = {
  credentials_invalid: "The email address or the password is wrong.",
  account_exists: "There is already an account with this email address. Sign in instead.",
  totp_invalid: "That code is not right. Enter the 6-digit code your authenticator app shows now (check that your phone's clock is right).",
  totp_reused: "That code was used already. Wait for the next code (they change every 30 seconds) and enter it.",
  totp_not_started: "The set-up of your authenticator app was not started. Start it again.",
  recovery_code_invalid: "That recovery code is wrong or was used already.",
  session_required: "Your session has ended. Sign in again.",
  second_factor_required: "Your session has ended. Sign in again.",
  session_state_invalid: "This sign-in step was already completed or replaced, perhaps in another tab. Reload the page.",
  csrf_invalid: "This page's security token is out of date. Reload the page and try again.",
  pairing_code_invalid: "No camera is showing that pairing code. Check the code on the camera and type it again.",
  pairing_code_used: "That pairing code was used already. Have the camera show a new one.",
  pairing_code_expired: "That pairing code has expired. Have the camera show a new one.",
  device_already_owned: "That camera already belongs to an owner. Its owner can transfer it to you.",
  device_revoked: "This camera's registration is revoked: it can no longer be paired or transferred.",
  device_already_revoked: "This camera is revoked already.",
  device_already_reported_stolen: "This camera is reported stolen already.",
  credential_pending_approval: "This camera was reset and is waiting for its owner to approve it.",
  reregistration_not_pending: "This camera is not waiting for an approval any more.",
  transfer_code_invalid: "No transfer matches that code.",
  transfer_code_used: "That transfer code was used already.",
  transfer_code_expired: "That transfer code has expired. The current owner can start a new transfer.",
  transfer_to_self: "That camera is yours already.",
  not_found: "That camera is not in your account.",
};

/** A refusal in plain words: the verifier's stable code decides, its message only where we have none. */
export function inPlainWords(error: unknown): string {
  if (!(error instanceof ApiError)) return "Something went wrong in this page. Reload it and try again.";
  if (error.code === "too_many_attempts") {
    return error.retryAfterSeconds === null ? "Too many attempts. Wait a while and try again." : `Too many attempts. Try again in ${wait(error.retryAfterSeconds)}.`;
  }
  if (error.code === "bad_request") return `The verifier could not accept this: ${error.message}`;
  return PLAIN_WORDS[error.code] ?? error.message;
}
