import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorCode } from "../src/errors.ts";

/** The one place where error codes meet HTTP statuses. */
const statusOf: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  bad_request: 400,
  image_malformed: 400,
  record_missing: 400,
  record_malformed: 400,
  record_version_unsupported: 400,
  payload_malformed: 400,
  attestation_malformed: 400,
  client_data_malformed: 400,
  authenticator_data_malformed: 400,
  registration_challenge_invalid: 400,
  attestation_chain_untrusted: 403,
  credential_revoked: 403,
  not_found: 404,
  credential_unknown: 404,
  credential_exists: 409,
  nonce_replayed: 409,
  counter_regression: 409,
  body_too_large: 413,
  image_too_large: 413,
  record_too_large: 413,
  unsupported_media_type: 415,
  // Owners, sessions, pairing and the device lifecycle.

  // Firmware releases, co-signing and installs.

};

export function httpStatusFor(code: ErrorCode): ContentfulStatusCode {
  return statusOf[code] ?? 422;
}
