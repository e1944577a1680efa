import type { AttemptLimit } from "../verifier/db/second-factor.ts";
import { assertKeyRingMatches } from "../verifier/db/second-factor.ts";
import { parseKeyRing } from "../src/secrets/envelope.ts";
import { type CosignerApp, createCosignerApp } from "./app.ts";
import { loadSigningKey } from "./db/keys.ts";
import { openCosignerDb } from "./db/schema.ts";
import { type CosignerServices, DEFAULT_ATTEMPT_LIMIT } from "./services.ts";

export const SECRET_KEYS_SETTING = "COSIGNER_SECRET_KEYS";

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
  runtime: { now?: () => number; attemptLimit?: AttemptLimit } = {},
): Promise<StartedCosigner> {
  const now = runtime.now ?? Date.now;
  if (!secretKeysSpec) throw new Error(`${SECRET_KEYS_SETTING} is not set: give the key ring that sealed this co-signer's secrets`);
  const secretKeys = await parseKeyRing(secretKeysSpec, SECRET_KEYS_SETTING);
  const db = await openCosignerDb(databaseUrl);
  try {
    await assertKeyRingMatches(db, secretKeys, SECRET_KEYS_SETTING, now());
    const signingKey = await loadSigningKey(db, secretKeys);
    if (!signingKey) throw new Error("this co-signer has no signing key: run `snapseal cosigner init` first");
    const services: CosignerServices = { db, secretKeys, signingKey, attemptLimit: runtime.attemptLimit ?? DEFAULT_ATTEMPT_LIMIT, now };
    return { app: createCosignerApp(services), services, close: () => db.close() };
  } catch (error) {
    db.close();
    throw error;
  }
}
