import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { FirmwareKey } from "../src/firmware/key-set.ts";
import { parseKeyRing } from "../src/secrets/envelope.ts";
import { assertKeyRingMatches } from "../verifier/db/second-factor.ts";
import { acceptReleaseKey, createSigningKey } from "../cosigner/db/keys.ts";
import { addOperator } from "../cosigner/db/operators.ts";
import { openCosignerDb } from "../cosigner/db/schema.ts";
import { SECRET_KEYS_SETTING } from "../cosigner/start.ts";

export interface CosignerSetUp {
  databaseUrl: string;
  key: FirmwareKey;
  operatorSecret: string;
}

/**
 * What `snapseal cosigner init`, `operator add` and `key accept` do, on the
 * co-signer's own database in `dir`: its signing key, one release operator
 * with a TOTP secret, and the vendor release key it will co-sign for.
 */
export async function setUpCosigner(dir: string, secretKeys: string, operator: string, releaseKey: FirmwareKey): Promise<CosignerSetUp> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const databaseUrl = `file:${join(dir, "cosigner.db")}`;
  const db = await openCosignerDb(databaseUrl);
  try {
    const now = Date.now();
    const ring = await parseKeyRing(secretKeys, SECRET_KEYS_SETTING);
    await assertKeyRingMatches(db, ring, SECRET_KEYS_SETTING, now);
    const key = await createSigningKey(db, ring, now);
    const enrolment = await addOperator(db, ring, operator, now);
    if (!enrolment) throw new Error(`operator ${operator} exists already in ${dir}`);
    await acceptReleaseKey(db, releaseKey, now);
    return { databaseUrl, key, operatorSecret: enrolment.base32 };
  } finally {
    db.close();
  }
}
