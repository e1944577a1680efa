import { fromBase64Url, toBase64Url, toHex } from "../../src/bytes.ts";
import { sha256 } from "../../src/crypto/sha256.ts";
import { ProvenanceError } from "../../src/errors.ts";
import { type FirmwareKey, type KeySet, firmwareKeyFromJson, isKeyId } from "../../src/firmware/key-set.ts";
import { type FirmwareManifest, encodeManifest } from "../../src/firmware/manifest.ts";
import { type FirmwareSignature, encodeRelease, signManifest } from "../../src/firmware/release.ts";
import { callVerifier } from "../../src/http/verifier-client.ts";
import type { ReleaseKey } from "./release-key.ts";

/**
 * The release tool behind `snapseal firmware release`: build the manifest,
 * sign it with the vendor's release key, have the co-signer add its signature
 * (which it gives only for the operator's TOTP code), and publish release and
 * image to the verifier, which accepts them only if they verify.
 */
export interface ReleaseOptions {
  image: Uint8Array;
  model: string;
  version: string;
  minVersion?: string;
  releaseKey: ReleaseKey;
  cosignerUrl: string;
  operator: string;
  totp: string;
  /** The verifier that publishes it; also where the image is served unless `url` is given. */
  server: string;
  url?: string;
  expiresInMs: number;
  /** A key rotation: the new key set, and the secret keys of its keys that are not already signing. */
  keySet?: KeySet;
  newKeys?: ReleaseKey[];
  now?: number;
}

export interface Released {
  manifest: FirmwareManifest;
  release: Uint8Array;
}

const SERVICE = "co-signer";

export async function releaseFirmware(options: ReleaseOptions): Promise<Released> {
  const cosignerUrl = options.cosignerUrl.replace(/\/+$/, "");
  const server = options.server.replace(/\/+$/, "");
  const cosignerKey = firmwareKeyFromJson(await callVerifier<unknown>(`${cosignerUrl}/v1/firmware/cosigner-key`, {}, SERVICE), "the co-signer's key");
  const imageSha256 = await sha256(options.image);
  const releasedAt = options.now ?? Date.now();
  const newKeys = options.newKeys ?? [];
  const manifest: FirmwareManifest = {
    model: options.model,
    version: options.version,
    ...(options.minVersion === undefined ? {} : { minVersion: options.minVersion }),
    imageSha256,
    size: options.image.length,
    url: options.url ?? `${server}/v1/firmware/images/${toHex(imageSha256)}`,
    releasedAt,
    expiresAt: releasedAt + options.expiresInMs,
    keyIds: [...new Set([options.releaseKey.key.kid, cosignerKey.kid, ...newKeys.map((key) => key.key.kid)])],
    ...(options.keySet ? { keySet: options.keySet } : {}),
  };
  const manifestBytes = encodeManifest(manifest);
  const releaseSignature = signManifest(options.releaseKey.secretKey, manifestBytes);
  const cosignature = await requestCosignature(cosignerUrl, cosignerKey, manifestBytes, releaseSignature, options.operator, options.totp);
  const signatures = [releaseSignature, cosignature, ...newKeys.filter((key) => key.key.kid !== options.releaseKey.key.kid).map((key) => signManifest(key.secretKey, manifestBytes))];
  const release = encodeRelease(manifestBytes, signatures);

  const form = new FormData();
  form.append("release", new Blob([release as Uint8Array<ArrayBuffer>], { type: "application/cbor" }), "release.cbor");
  form.append("image", new Blob([options.image as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }), "image.bin");
  await callVerifier(`${server}/v1/firmware`, { method: "POST", body: form });
  return { manifest, release };
}

async function requestCosignature(
  cosignerUrl: string,
  cosignerKey: FirmwareKey,
  manifestBytes: Uint8Array,
  releaseSignature: FirmwareSignature,
  operator: string,
  totp: string,
): Promise<FirmwareSignature> {
  const answer = await callVerifier<{ kid?: unknown; sig?: unknown }>(
    `${cosignerUrl}/v1/firmware/cosign`,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ manifest: toBase64Url(manifestBytes), releaseSignature: { kid: releaseSignature.kid, sig: toBase64Url(releaseSignature.sig) }, operator, totp }),
    },
    SERVICE,
  );
  if (!isKeyId(answer.kid) || answer.kid !== cosignerKey.kid || typeof answer.sig !== "string") {
    throw new ProvenanceError("firmware_signature_invalid", "the co-signer answered with another key or no signature");
  }
  return { kid: answer.kid, sig: fromBase64Url(answer.sig) };
}
