import { fromBase64Url } from "../bytes.ts";
import { ProvenanceError } from "../errors.ts";
import { type AuthenticatorData, parseAuthenticatorData } from "./authenticator-data.ts";
import { type CameraCredential, checkCameraAssertionScope, checkCameraAssertionSignature } from "./camera-assertion.ts";
import { type CollectedClientData, parseClientData } from "./client-data.ts";

/** A WebAuthn assertion a camera makes over a challenge the verifier issued. */
export interface DeviceAssertion {
  clientDataJSON: Uint8Array;
  authenticatorData: Uint8Array;
  signature: Uint8Array;
}

export interface DeviceAssertionContext {
  credential: CameraCredential;
  /**
   * Marks the challenge used and says whether it was one the verifier issued
   * for this credential and purpose and still unexpired: each is good once.
   */
  consumeChallenge(challenge: Uint8Array): Promise<boolean>;
}

/**
 * A camera proves it holds a registered credential (to ask for a pairing code,
 * or for its own status): WebAuthn L3 §7.2 for a fresh server challenge, in
 * the camera profile every capture record follows. Nothing in the request is
 * trusted until this passes. The signature counter is left to the capture
 * ledger: a camera seals offline, so its assertions reach the verifier out of
 * counter order, and a consumed challenge already stops replay here.
 */
export async function verifyDeviceAssertion(assertion: DeviceAssertion, context: DeviceAssertionContext): Promise<void> {
  // §7.2 steps 5-6: clientDataJSON is a JSON object of the expected members.
  let clientData: CollectedClientData;
  try {
    clientData = parseClientData(assertion.clientDataJSON);
  } catch (error) {
    throw new ProvenanceError("client_data_malformed", (error as Error).message);
  }
  // §7.2 step 11: an assertion, not a registration.
  if (clientData.type !== "webauthn.get") throw new ProvenanceError("client_data_type_mismatch", clientData.type);
  // §7.2 step 12: a challenge this verifier issued for this, used once.
  let challenge: Uint8Array;
  try {
    challenge = fromBase64Url(clientData.challenge);
  } catch {
    throw new ProvenanceError("device_challenge_invalid", "challenge is not base64url");
  }
  if (!(await context.consumeChallenge(challenge))) throw new ProvenanceError("device_challenge_invalid");
  let authenticatorData: AuthenticatorData;
  try {
    authenticatorData = parseAuthenticatorData(assertion.authenticatorData);
  } catch (error) {
    throw new ProvenanceError("authenticator_data_malformed", (error as Error).message);
  }
  // §7.2 steps 13-17: origin, rpIdHash and flags.
  await checkCameraAssertionScope(clientData, authenticatorData, context.credential);
  // §7.2 steps 20-21: signed by the registered key.
  await checkCameraAssertionSignature(context.credential.publicKey, assertion);
}
