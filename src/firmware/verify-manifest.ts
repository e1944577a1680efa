import { verifyEd25519 } from "../crypto/ed25519.ts";
import { type ErrorCode, ProvenanceError } from "../errors.ts";
import { type KeySet, findKey, releaseAndCosignerKeys } from "./key-set.ts";
import type { FirmwareManifest } from "./manifest.ts";
import { type FirmwareRelease, type FirmwareSignature, decodeRelease } from "./release.ts";
import { compareVersions } from "./version.ts";

/**
 * Whether a camera may install a release, as one ordered checklist; each step
 * fails with its own code. The signature rule is TUF's: one role whose keys
 * are the key set's, met when `threshold` DISTINCT trusted key ids have a
 * signature that verifies over the exact manifest bytes. A signature that
 * does not verify is refused, not skipped, so "any listed key verifies" can
 * never pass for "both keys signed".
 *
 *  1. firmware_manifest_malformed   the release and its manifest decode strictly
 *  2. firmware_key_revoked          no listed key and no signer is revoked by the trusted set
 *  3. firmware_key_unknown          every listed key is trusted (or in the key set the release
 *                                   brings), and every signature is by a listed key
 *  4. firmware_signature_invalid    every signature verifies over the manifest bytes
 *  5. firmware_threshold_unmet      `threshold` distinct trusted keys signed; when the trusted
 *                                   set is [release key, co-signer key] and one of them signed,
 *                                   the code names the other: firmware_cosigner_signature_missing
 *                                   or firmware_release_signature_missing
 *  6. firmware_keyset_rollback      a new key set's version is higher than the trusted one's
 *  7. firmware_keyset_threshold_unmet  the new key set's own threshold of its keys signed
 *                                   (TUF root rotation: old keys and new keys both agree)
 * checkInstallable, against the camera's state:
 *  8. firmware_model_mismatch       the manifest is for this model
 *  9. firmware_rollback             its version is newer than the installed one (equal is not)
 * 10. firmware_min_version          the installed version is at least minVersion
 * 11. firmware_expired              now < expiresAt, now being the camera's trusted lower bound
 * and, as the image is read (read-image.ts):
 * 12. firmware_image_size_mismatch  exactly `size` bytes (reading stops at size + 1)
 * 13. firmware_image_hash_mismatch  SHA-256 of the bytes is imageSha256
 */
export interface VerifiedRelease extends FirmwareRelease {
  /** Distinct key ids whose signatures verified. */
  signedBy: string[];
  /** The key set to rotate to, when the release brings one and passed steps 6-7. */
  nextKeySet?: KeySet;
}

export interface InstallContext {
  model: string;
  installedVersion: string;
  /** max(camera clock, latest server time anchor): see device/firmware/updater.ts. */
  now: number;
}

function refuse(code: ErrorCode, detail?: string): never {
  throw new ProvenanceError(code, detail);
}

/** Steps 1-7: the release is what a threshold of trusted keys signed. */
export function verifyRelease(releaseBytes: Uint8Array, trusted: KeySet): VerifiedRelease {
  const release = decodeRelease(releaseBytes);
  const { manifest, manifestBytes, signatures } = release;
  const incoming = manifest.keySet;

  const revoked = new Set(trusted.revoked);
  for (const kid of [...manifest.keyIds, ...signatures.map((signature) => signature.kid)]) {
    if (revoked.has(kid)) refuse("firmware_key_revoked", kid);
  }

  const keyOf = (kid: string) => findKey(trusted, kid) ?? (incoming ? findKey(incoming, kid) : undefined);
  for (const kid of manifest.keyIds) if (!keyOf(kid)) refuse("firmware_key_unknown", kid);
  const listed = new Set(manifest.keyIds);
  for (const { kid } of signatures) if (!listed.has(kid)) refuse("firmware_key_unknown", `signature by ${kid}, which the manifest does not list`);

  const signedBy = new Set<string>();
  for (const { kid, sig } of signatures) {
    if (!verifyEd25519(keyOf(kid)!.publicKey, sig, manifestBytes)) refuse("firmware_signature_invalid", kid);
    signedBy.add(kid);
  }

  if (countSigners(trusted, signedBy) < trusted.threshold) thresholdUnmet(trusted, signedBy, signatures);

  const verified: VerifiedRelease = { ...release, signedBy: [...signedBy] };
  if (incoming) {
    if (incoming.version <= trusted.version) refuse("firmware_keyset_rollback", `key set ${incoming.version}, trusted ${trusted.version}`);
    if (countSigners(incoming, signedBy) < incoming.threshold) refuse("firmware_keyset_threshold_unmet", missing(incoming, signedBy));
    verified.nextKeySet = incoming;
  }
  return verified;
}

/** Steps 8-11: this camera may install this manifest now. */
export function checkInstallable(manifest: FirmwareManifest, camera: InstallContext): void {
  if (manifest.model !== camera.model) refuse("firmware_model_mismatch", `manifest for ${manifest.model}, camera is ${camera.model}`);
  if (compareVersions(manifest.version, camera.installedVersion) <= 0) refuse("firmware_rollback", `${manifest.version} over installed ${camera.installedVersion}`);
  if (manifest.minVersion !== undefined && compareVersions(camera.installedVersion, manifest.minVersion) < 0) {
    refuse("firmware_min_version", `installed ${camera.installedVersion}, needs ${manifest.minVersion}`);
  }
  if (camera.now >= manifest.expiresAt) refuse("firmware_expired", `expired ${new Date(manifest.expiresAt).toISOString()}`);
}

function countSigners(keySet: KeySet, signedBy: Set<string>): number {
  return keySet.keys.filter((key) => signedBy.has(key.kid)).length;
}

/**
 * Step 5's refusal. With the two keys of the design, the one that verified is
 * named with the one that is absent, so "only the vendor signed" and "only the
 * co-signer signed" are told apart; a key's repeated signatures count once.
 */
function thresholdUnmet(trusted: KeySet, signedBy: Set<string>, signatures: FirmwareSignature[]): never {
  const pair = releaseAndCosignerKeys(trusted);
  const only = (signer: string, absent: string) => {
    const times = signatures.filter((signature) => signature.kid === signer).length;
    return `signed by ${signer} only${times > 1 ? ` (its ${times} signatures count once)` : ""}; unsigned by ${absent}`;
  };
  if (pair && signedBy.has(pair.release.kid)) refuse("firmware_cosigner_signature_missing", only(pair.release.kid, pair.cosigner.kid));
  if (pair && signedBy.has(pair.cosigner.kid)) refuse("firmware_release_signature_missing", only(pair.cosigner.kid, pair.release.kid));
  return refuse("firmware_threshold_unmet", missing(trusted, signedBy));
}

function missing(keySet: KeySet, signedBy: Set<string>): string {
  const absent = keySet.keys.filter((key) => !signedBy.has(key.kid)).map((key) => key.kid);
  return `${keySet.keys.length - absent.length} of ${keySet.threshold} required signatures; unsigned by ${absent.join(", ")}`;
}
