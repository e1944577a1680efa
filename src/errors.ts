/**
 * Every way a capture, a registration or a request can be refused, as a stable
 * code. Codes are part of the public API (HTTP bodies, CLI --json, docs/format.md):
 * add new ones, never rename.
 */
export const errorCodes = {
  // The photo and the record inside it (check step 1).
  image_malformed: "The file is not a well-formed JPEG.",
  image_too_large: "The image exceeds the configured size limit.",
  record_missing: "The photo carries no SnapSeal capture record.",
  record_malformed: "The capture record is not valid strict CBOR of the expected shape.",
  record_too_large: "The capture record exceeds the size limit.",
  record_version_unsupported: "The capture record has an unknown version.",
  payload_malformed: "The signed payload is not valid strict CBOR of the expected shape.",
  // The credential (check step 2).
  credential_unknown: "No registered device holds this credential.",
  credential_revoked: "The device's credential was revoked before this capture was sealed or received.",
  // What the assertion is bound to (check step 3).
  rp_id_mismatch: "The assertion was made for another relying party.",
  client_data_malformed: "clientDataJSON is not the expected JSON object.",
  client_data_type_mismatch: "clientDataJSON.type is not webauthn.get.",
  origin_mismatch: "The assertion was made for another origin.",
  challenge_mismatch: "The challenge is not the SHA-256 of the signed payload.",
  authenticator_data_malformed: "authenticatorData has the wrong length or flags.",
  counter_mismatch: "The payload counter differs from the authenticator's signature counter.",
  device_mismatch: "The signed metadata names another device than the one the credential was attested for.",
  // The signature (check step 4).
  signature_invalid: "The signature does not verify with the registered public key.",
  // The image binding (check step 5).
  content_altered: "The pixels or encoded image changed after sealing.",
  record_transplanted: "The record was sealed for a different picture.",
  // Freshness (check step 6).
  capture_in_future: "The capture time is later than the receipt time plus the clock-skew allowance.",
  capture_too_old: "The capture is older than the offline window at receipt.",
  anchor_invalid: "The time anchor is not signed by this verifier.",
  capture_before_anchor: "The capture time is earlier than the server time anchor it carries.",
  // Replay and counter (check steps 7 and 8).
  nonce_replayed: "A different record with this nonce was already accepted.",
  counter_regression: "Counter did not increase: possible cloned authenticator; the credential is flagged.",
  // Registration.
  registration_challenge_invalid: "The registration challenge is unknown, used or expired.",
  attestation_malformed: "The attestation object is malformed.",
  attestation_format_unsupported: "Only packed attestation with an x5c chain is accepted.",
  attestation_signature_invalid: "The attestation signature does not verify.",
  attestation_certificate_invalid: "The attestation certificate does not meet the packed-attestation requirements.",
  attestation_chain_untrusted: "The attestation certificate does not chain to a trusted manufacturer root.",
  credential_exists: "This credential is already registered.",
  // Owners, sessions, pairing and the device lifecycle (issue 3; docs/api.md).

  // Firmware releases, co-signing and installs (issue 4; docs/firmware.md).

  // Requests.
  bad_request: "The request is malformed.",
  body_too_large: "The request body exceeds the limit.",
  unsupported_media_type: "The request has the wrong content type.",
  not_found: "No such resource.",
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class ProvenanceError extends Error {
  override readonly name = "ProvenanceError";
  constructor(
    readonly code: ErrorCode,
    detail?: string,
  ) {
    super(detail ? `${errorCodes[code]} (${detail})` : errorCodes[code]);
  }
}

export function isProvenanceError(error: unknown, code?: ErrorCode): error is ProvenanceError {
  return error instanceof ProvenanceError && (code === undefined || error.code === code);
}
