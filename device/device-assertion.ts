import { fromBase64Url, toBase64Url } from "../src/bytes.ts";
import { sha256 } from "../src/crypto/sha256.ts";
import { encodeClientData } from "../src/webauthn/client-data.ts";
import { type Camera, activeCredential } from "./camera.ts";
import { NotRegisteredError } from "./capture.ts";
import { postJson } from "../src/http/verifier-client.ts";

export type ProofPurpose = "pair" | "status";

/** A WebAuthn assertion over a fresh verifier challenge, as the verifier's device routes take it. */
export interface CredentialProof {
  credentialId: string;
  clientDataJSON: string;
  authenticatorData: string;
  signature: string;
}

/** The verifier a camera talks to: the one given, else the one its credential was registered with. */
export async function verifierFor(camera: Camera, verifierUrl?: string): Promise<string> {
  const credential = await activeCredential(camera.db);
  if (!credential) throw new NotRegisteredError();
  return (verifierUrl ?? credential.verifierUrl).replace(/\/+$/, "");
}

/**
 * The camera proves it holds its registered credential: the verifier issues a
 * challenge for one purpose and the authenticator signs it.
 */
export async function proveCredential(camera: Camera, base: string, purpose: ProofPurpose): Promise<CredentialProof> {
  const credential = await activeCredential(camera.db);
  if (!credential) throw new NotRegisteredError();
  const { challenge } = await postJson<{ challenge: string }>(`${base}/v1/devices/challenge`, { credentialId: toBase64Url(credential.credentialId), purpose });
  return assertChallenge(camera, challenge);
}

/**
 * The authenticator's assertion over a verifier challenge (type webauthn.get,
 * the origin it registered with). Like every assertion it advances the
 * signature counter, committed before the proof leaves the camera; later
 * captures simply continue from the higher count.
 */
export async function assertChallenge(camera: Camera, challenge: string): Promise<CredentialProof> {
  const credential = await activeCredential(camera.db);
  if (!credential) throw new NotRegisteredError();
  const clientDataJSON = encodeClientData("webauthn.get", fromBase64Url(challenge), credential.origin);
  const clientDataHash = await sha256(clientDataJSON);
  const tx = await camera.db.transaction("write");
  try {
    const signed = await camera.authenticator.assert(tx, credential.credentialId, async () => clientDataHash);
    await tx.commit();
    return {
      credentialId: toBase64Url(credential.credentialId),
      clientDataJSON: toBase64Url(clientDataJSON),
      authenticatorData: toBase64Url(signed.authenticatorData),
      signature: toBase64Url(signed.signature),
    };
  } finally {
    tx.close();
  }
}
