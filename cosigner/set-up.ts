import type { FirmwareKey } from "../src/firmware/key-set.ts";
import { keyRingFor } from "../verifier/db/second-factor.ts";
import { acceptReleaseKey, createSigningKey } from "./db/keys.ts";
import { addOperator } from "./db/operators.ts";
import { openCosignerDb } from "./db/schema.ts";
import { SECRET_KEYS_SETTING } from "./start.ts";

export interface CosignerSetUp {
  /** The co-signer's public key, for the key set cameras are made with. */
  key: FirmwareKey;
  /** Each operator's TOTP secret (base32), shown once. */
  operatorSecrets: Map<string, string>;
}

/**
 * What `snapseal cosigner init`, `key accept` and `operator add` do one by
 * one, in one go on a new co-signer database: its signing key, the vendor
 * release key it will co-sign for, and its release operators.
 */
export async function setUpCosigner(databaseUrl: string, secretKeysSpec: string, releaseKey: FirmwareKey, operators: string[], now: number): Promise<CosignerSetUp> {
  const db = await openCosignerDb(databaseUrl);
  try {
    const ring = await keyRingFor(db, secretKeysSpec, SECRET_KEYS_SETTING, now);
    const key = await createSigningKey(db, ring, now);
    await acceptReleaseKey(db, releaseKey, now);
    const operatorSecrets = new Map<string, string>();
    for (const name of operators) {
      const enrolment = await addOperator(db, ring, name, now);
      if (!enrolment) throw new Error(`operator ${name} exists already`);
      operatorSecrets.set(name, enrolment.base32);
    }
    return { key, operatorSecrets };
  } finally {
    db.close();
  }
}
