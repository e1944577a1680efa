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
  session_required: "Sign in first: the request carries no valid session.",
  second_factor_required: "This session has passed the password only: enter a TOTP or recovery code, or enrol TOTP.",
  session_state_invalid: "This session is not at the sign-in step this request belongs to.",
  csrf_invalid: "The request lacks this session's CSRF token or comes from another origin.",
  credentials_invalid: "The email address or the password is wrong.",
  account_exists: "An account with this email address exists.",
  too_many_attempts: "Too many attempts: wait before trying again.",
  totp_invalid: "The TOTP code is wrong or outside its time window.",
  totp_reused: "This TOTP code was used already: wait for the next one.",
  totp_not_started: "Start TOTP enrolment before confirming it.",
  recovery_code_invalid: "The recovery code is wrong or was used already.",
  // Pairing, ownership, transfer and re-registration.
  device_challenge_invalid: "The device challenge is unknown, used, expired, or for another credential or purpose.",
  credential_pending_approval: "The credential re-registers a camera that has an owner, who has not approved it: nothing it seals is accepted.",
  device_already_owned: "The camera already has an owner.",
  device_revoked: "The camera's credential is revoked: it can no longer be paired or transferred.",
  device_already_revoked: "The camera's credential is already revoked.",
  device_already_reported_stolen: "The camera is already reported stolen.",
  pairing_code_invalid: "No pairing code matches.",
  pairing_code_expired: "The pairing code has expired: have the camera show a new one.",
  pairing_code_used: "The pairing code was used already.",
  transfer_code_invalid: "No transfer code matches.",
  transfer_code_expired: "The transfer code has expired: the current owner can start a new transfer.",
  transfer_code_used: "The transfer code was used already.",
  transfer_to_self: "The camera already belongs to this owner.",
  reregistration_not_pending: "No re-registration of this camera is waiting for approval.",

  // Firmware releases, co-signing and installs (issue 4; docs/firmware.md).
  firmware_manifest_malformed: "The firmware release is not valid strict CBOR of the manifest's shape.",
  firmware_keyset_malformed: "The firmware key set is not of the expected shape.",
  firmware_key_revoked: "The firmware release names a key the camera's key set revokes.",
  firmware_key_unknown: "The firmware release names a key the camera's key set does not hold.",
  firmware_signature_invalid: "A firmware signature does not verify over the manifest's bytes.",
  firmware_cosigner_signature_missing: "Only the release key signed the firmware manifest: the co-signer's signature is missing.",
  firmware_release_signature_missing: "Only the co-signer signed the firmware manifest: the release key's signature is missing.",
  firmware_threshold_unmet: "Too few distinct trusted keys signed the firmware manifest.",
  firmware_keyset_rollback: "The new firmware key set's version is not higher than the current one.",
  firmware_keyset_threshold_unmet: "Too few distinct keys of the new firmware key set signed the manifest.",
  firmware_model_mismatch: "The firmware manifest is for another camera model.",
  firmware_rollback: "The firmware version is not newer than the installed one.",
  firmware_min_version: "The installed firmware is older than the manifest's minimum version.",
  firmware_expired: "The firmware manifest has expired.",
  firmware_image_size_mismatch: "The firmware image is not exactly the signed size.",
  firmware_image_hash_mismatch: "The firmware image's SHA-256 differs from the signed hash.",
  firmware_version_exists: "A firmware release of this model and version is already published.",
  firmware_trust_unconfigured: "This verifier holds no firmware key set (SNAPSEAL_FIRMWARE_KEYS), so it publishes no firmware.",
  cosign_release_key_unknown: "The co-signer does not accept this release key.",
  cosign_release_key_revoked: "The co-signer revoked this release key.",
  cosign_operator_unknown: "No release operator of this name.",
  cosign_totp_invalid: "The operator's TOTP code is not valid now.",
  cosign_totp_reused: "The operator's TOTP code was already used.",
  cosign_throttled: "Too many failed attempts for this operator; try again later.",
  cosign_address_throttled: "Too many failed attempts from this client address; try again later.",

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
