import { toHex } from "../src/bytes.ts";
import { type CaptureVerification, type FreshnessPolicy, verifyCapture } from "../src/verify/verify-capture.ts";
import { type StoredCredential, findCredential, credentialKey } from "./db/credentials.ts";
import type { Services } from "./services.ts";

/**
 * Runs the shared verification (src/verify/verify-capture.ts) against this
 * verifier's registry. `receivedAt` is now for a sync, the stored receipt time
 * for a recorded capture; freshness applies only on sync.
 */
export function verifyPhoto(
  services: Services,
  jpeg: Uint8Array,
  options: { receivedAt: number; applyFreshness: boolean },
): Promise<CaptureVerification<StoredCredential>> {
  const { db, config, anchorKeys, fingerprint } = services;
  const freshness: FreshnessPolicy = {
    receivedAt: options.receivedAt,
    maxAgeMs: config.offlineWindowMs,
    maxSkewMs: config.clockSkewMs,
    anchorKey: async (kid) => anchorKeys.verifyingKeys.get(toHex(kid)) ?? null,
  };
  return verifyCapture(jpeg, {
    findCredential: (credentialId) => findCredential(db, credentialKey(credentialId)),
    receivedAt: options.receivedAt,
    ...(options.applyFreshness ? { freshness } : {}),
    ...(fingerprint ? { fingerprint } : {}),
  });
}

