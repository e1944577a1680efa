import { bytesEqual, concatBytes, utf8 } from "../bytes.ts";
import { importP256PublicKey, verifyEs256 } from "../crypto/es256.ts";
import { sha256 } from "../crypto/sha256.ts";
import { ProvenanceError } from "../errors.ts";
import type { AuthenticatorData } from "./authenticator-data.ts";
import type { CollectedClientData } from "./client-data.ts";

/** What a camera's credential was registered for, and the key it signs with. */
export interface CameraCredential {
  /** Uncompressed SEC1 P-256 point. */
  publicKey: Uint8Array;
  rpId: string;
  origin: string;
}

/**
 * WebAuthn L3 §7.2 steps 13-17 in the camera profile, for every assertion a
 * camera makes: capture records (src/verify/verify-capture.ts) and proofs that
 * it holds its credential (verify-device-assertion.ts).
 */
export async function checkCameraAssertionScope(
  clientData: CollectedClientData,
  authenticatorData: AuthenticatorData,
  credential: Omit<CameraCredential, "publicKey">,
): Promise<void> {
  // §7.2 steps 13-14: the origin the device registered with, never cross-origin.
  if (clientData.origin !== credential.origin) throw new ProvenanceError("origin_mismatch", clientData.origin);
  if (clientData.crossOrigin === true) throw new ProvenanceError("origin_mismatch", "crossOrigin is true");
  // §7.2 step 15: rpIdHash.
  if (!bytesEqual(authenticatorData.rpIdHash, await sha256(utf8(credential.rpId)))) throw new ProvenanceError("rp_id_mismatch");
  // §7.2 steps 16-17 are inverted for cameras: nobody is present, so UP and UV
  // must be clear; a device-bound key is never backup-eligible (BE, BS); AT and
  // ED never belong in an assertion. Our profile is therefore all flags clear.
  if (authenticatorData.flags !== 0) {
    throw new ProvenanceError("authenticator_data_malformed", `flags 0x${authenticatorData.flags.toString(16)}, expected 0 (UP=0, UV=0)`);
  }
}

/** WebAuthn L3 §7.2 steps 20-21: the signature over authenticatorData || SHA-256(clientDataJSON). */
export async function checkCameraAssertionSignature(
  publicKey: Uint8Array,
  assertion: { authenticatorData: Uint8Array; clientDataJSON: Uint8Array; signature: Uint8Array },
): Promise<void> {
  const key = await importP256PublicKey(publicKey);
  const signed = concatBytes(assertion.authenticatorData, await sha256(assertion.clientDataJSON));
  if (!(await verifyEs256(key, assertion.signature, signed))) throw new ProvenanceError("signature_invalid");
}
