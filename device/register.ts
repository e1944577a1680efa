import { fromBase64Url, toBase64Url } from "../src/bytes.ts";
import { sha256 } from "../src/crypto/sha256.ts";
import { type TimeAnchorJson, anchorFromJson } from "../src/record/time-anchor.ts";
import { encodeClientData } from "../src/webauthn/client-data.ts";
import { type Camera, storeTimeAnchor } from "./camera.ts";
import { postJson } from "../src/http/verifier-client.ts";

interface RegistrationOptions {
  challenge: string;
  rp: { id: string };
  origin: string;
}

/**
 * The registration ceremony, played by the camera as both client and
 * authenticator: fetch a challenge, make a credential with packed attestation by
 * the device's own attestation key, and have the verifier check it.
 */
export async function registerCamera(camera: Camera, verifierUrl: string): Promise<{ credentialId: string; serial: string; pendingApproval: boolean }> {
  const base = verifierUrl.replace(/\/+$/, "");
  const options = await postJson<RegistrationOptions>(`${base}/v1/devices/register/options`, {});
  const clientDataJSON = encodeClientData("webauthn.create", fromBase64Url(options.challenge), options.origin);
  const { credentialId, attestationObject } = await camera.authenticator.makeCredential({
    rpId: options.rp.id,
    origin: options.origin,
    verifierUrl: base,
    clientDataHash: await sha256(clientDataJSON),
  });
  const registered = await postJson<{ credentialId: string; serial: string; pendingApproval: boolean; anchor: TimeAnchorJson }>(`${base}/v1/devices/register`, {
    clientDataJSON: toBase64Url(clientDataJSON),
    attestationObject: toBase64Url(attestationObject),
  });
  await camera.db.execute({ sql: "UPDATE credentials SET registered_at = ? WHERE credential_id = ?", args: [Date.now(), credentialId] });
  await storeTimeAnchor(camera.db, anchorFromJson(registered.anchor));
  return { credentialId: registered.credentialId, serial: registered.serial, pendingApproval: registered.pendingApproval === true };
}
