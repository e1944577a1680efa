import { keyRingFor } from "../verifier/db/second-factor.ts";
import { type CosignerApp, createCosignerApp } from "./app.ts";
import { loadSigningKey } from "./db/keys.ts";
import { openCosignerDb } from "./db/schema.ts";
import { type CosignerServices, DEFAULT_ADDRESS_ATTEMPT_LIMIT, DEFAULT_ATTEMPT_LIMIT } from "./services.ts";

export const SECRET_KEYS_SETTING = "COSIGNER_SECRET_KEYS";

/** What the runtime (node.ts) and tests give the co-signer beside its database and keys. */
export type CosignerRuntime = Partial<Pick<CosignerServices, "now" | "attemptLimit" | "addressAttemptLimit" | "peerAddress">>;

export interface StartedCosigner {
  app: CosignerApp;
  services: CosignerServices;
  close(): void;
}

/**
 * Opens the co-signer's database and checks the key ring against it before
 * anything is served: a wrong COSIGNER_SECRET_KEYS fails here, loudly, not at
 * the first release.
 */
export async function startCosigner(
  databaseUrl: string,
  secretKeysSpec: string | undefined,
  runtime: CosignerRuntime = {},
): Promise<StartedCosigner> {
  const now = runtime.now ?? Date.now;
  if (!secretKeysSpec) throw new Error(`${SECRET_KEYS_SETTING} is not set: give the key ring that sealed this co-signer's secrets`);
  const db = await openCosignerDb(databaseUrl);
  try {
    const secretKeys = await keyRingFor(db, secretKeysSpec, SECRET_KEYS_SETTING, now());
    const signingKey = await loadSigningKey(db, secretKeys);
    if (!signingKey) throw new Error("this co-signer has no signing key: run `snapseal cosigner init` first");
    const services: CosignerServices = {
      db,
      secretKeys,
      signingKey,
      attemptLimit: runtime.attemptLimit ?? DEFAULT_ATTEMPT_LIMIT,
      addressAttemptLimit: runtime.addressAttemptLimit ?? DEFAULT_ADDRESS_ATTEMPT_LIMIT,
      ...(runtime.peerAddress ? { peerAddress: runtime.peerAddress } : {}),
      now,
    };
    return { app: createCosignerApp(services), services, close: () => db.close() };
  } catch (error) {
    db.close();
    throw error;
  }
}
