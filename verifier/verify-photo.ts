import { toHex } from "../src/bytes.ts";
import { type CaptureVerification, type FreshnessPolicy, verifyCapture } from "../src/verify/verify-capture.ts";
import { type StoredCredential, findCredential, credentialKey } from "./db/credentials.ts";
import type { Services } from "./services.ts";
import { receiptTime } from "./db/receipts.ts";

/**
 * Runs the shared verification (src/verify/verify-capture.ts) against this
 * verifier's registry. A sync is judged as received now, with freshness; a
 * check of a recorded capture by its stored receipt time, without.
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
  };
  return verifyCapture(jpeg, {
    findCredential: (credentialId) => findCredential(db, credentialKey(credentialId)),
    anchorKey: async (kid) => anchorKeys.verifyingKeys.get(toHex(kid)) ?? null,
    receivedAt: async (recordHash) => (options.applyFreshness ? options.receivedAt : ((await receiptTime(db, recordHash)) ?? options.receivedAt)),
    ...(options.applyFreshness ? { freshness } : {}),
    ...(fingerprint ? { fingerprint } : {}),
  });
}

