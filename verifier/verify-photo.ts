import { toHex } from "../src/bytes.ts";
import { type CaptureVerification, type FreshnessPolicy, verifyCapture } from "../src/verify/verify-capture.ts";
import { type StoredCredential, findCredential, credentialKey } from "./db/credentials.ts";
import type { Services } from "./services.ts";
import { receiptTime } from "./db/receipts.ts";

/** Credential lookups shared by the photos of one request: a sync batch almost always comes from one camera. */
export type CredentialLookups = Map<string, Promise<StoredCredential | null>>;

/**
 * Runs the shared verification (src/verify/verify-capture.ts) against this
 * verifier's registry. A sync is judged as received now, with freshness; a
 * check of a recorded capture by its stored receipt time, without.
 */
export function verifyPhoto(
  services: Services,
  jpeg: Uint8Array,
  options: { receivedAt: number; applyFreshness: boolean; lookups?: CredentialLookups },
): Promise<CaptureVerification<StoredCredential>> {
  const lookups = options.lookups ?? new Map();
  const { db, config, anchorKeys, fingerprint } = services;
  const freshness: FreshnessPolicy = {
    receivedAt: options.receivedAt,
    maxAgeMs: config.offlineWindowMs,
    maxSkewMs: config.clockSkewMs,
  };
  return verifyCapture(jpeg, {
    findCredential: (credentialId) => {
      const id = credentialKey(credentialId);
      let found = lookups.get(id);
      if (!found) lookups.set(id, (found = findCredential(db, id)));
      return found;
    },
    anchorKey: async (kid) => anchorKeys.verifyingKeys.get(toHex(kid)) ?? null,
    receivedAt: async (recordHash) => (options.applyFreshness ? options.receivedAt : ((await receiptTime(db, recordHash)) ?? options.receivedAt)),
    ...(options.applyFreshness ? { freshness } : {}),
    ...(fingerprint ? { fingerprint } : {}),
  });
}

