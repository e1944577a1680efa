import type { Client } from "@libsql/client";
import { toHex } from "../../src/bytes.ts";
import { anchorKeyId } from "../../src/record/time-anchor.ts";
import { ECDSA_P256 } from "../../src/crypto/es256.ts";


export interface AnchorKeys {
  kid: Uint8Array;
  signingKey: CryptoKey;
  /** Public keys of every anchor key this verifier ever used, by hex key id. */
  verifyingKeys: Map<string, CryptoKey>;
}

/**
 * The time-anchor signing key lives in the shared database so that every
 * verifier instance signs with, and accepts, the same key. The first instance to
 * start creates it; the insert is idempotent if two start at once.
 */
export async function loadAnchorKeys(db: Client): Promise<AnchorKeys> {
  let rows = (await db.execute("SELECT kid, public_key, private_key FROM server_keys WHERE purpose = 'time-anchor' ORDER BY created_at")).rows;
  if (rows.length === 0) {
    const pair = (await crypto.subtle.generateKey(ECDSA_P256, true, ["sign", "verify"])) as CryptoKeyPair;
    const publicKey = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
    const privateKey = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
    await db.execute({
      sql: `INSERT INTO server_keys (kid, purpose, public_key, private_key, created_at) VALUES (?, 'time-anchor', ?, ?, ?) ON CONFLICT DO NOTHING`,
      args: [await anchorKeyId(publicKey), publicKey, privateKey, Date.now()],
    });
    rows = (await db.execute("SELECT kid, public_key, private_key FROM server_keys WHERE purpose = 'time-anchor' ORDER BY created_at")).rows;
  }
  const verifyingKeys = new Map<string, CryptoKey>();
  for (const row of rows) {
    const key = await crypto.subtle.importKey("raw", row.public_key as ArrayBuffer, ECDSA_P256, true, ["verify"]);
    verifyingKeys.set(toHex(new Uint8Array(row.kid as ArrayBuffer)), key);
  }
  const newest = rows[rows.length - 1]!;
  return {
    kid: new Uint8Array(newest.kid as ArrayBuffer),
    signingKey: await crypto.subtle.importKey("pkcs8", newest.private_key as ArrayBuffer, ECDSA_P256, false, ["sign"]),
    verifyingKeys,
  };
}
