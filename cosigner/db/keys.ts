import type { Client, Transaction } from "@libsql/client";
import { ed25519PublicKeyOf, newEd25519KeyPair } from "../../src/crypto/ed25519.ts";
import { type FirmwareKey, firmwareKeyOf } from "../../src/firmware/key-set.ts";
import { type KeyRing, openSecret, sealSecret } from "../../src/secrets/envelope.ts";

type Executor = Pick<Client | Transaction, "execute">;

/** The co-signer's own key; its private half is sealed under COSIGNER_SECRET_KEYS and bound to its key id. */
export interface CosignerKey extends FirmwareKey {
  secretKey: Uint8Array;
}

const sealingContext = (kid: string) => `cosigner:signing-key:${kid}`;

/** Made once, by `snapseal cosigner init`: replacing it would orphan every camera made with its public half. */
export async function createSigningKey(db: Executor, ring: KeyRing, now: number): Promise<FirmwareKey> {
  const pair = newEd25519KeyPair();
  const key = firmwareKeyOf(pair.publicKey);
  const inserted = await db.execute({
    sql: "INSERT INTO signing_key (id, kid, public_key, sealed_secret_key, created_at) VALUES (1, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    args: [key.kid, key.publicKey, await sealSecret(ring, pair.secretKey, sealingContext(key.kid), now), now],
  });
  if (inserted.rowsAffected === 0) throw new Error("this co-signer already has its signing key");
  return key;
}

export async function loadSigningKey(db: Executor, ring: KeyRing): Promise<CosignerKey | null> {
  const row = (await db.execute("SELECT kid, sealed_secret_key FROM signing_key WHERE id = 1")).rows[0];
  if (!row) return null;
  const kid = String(row.kid);
  const secretKey = await openSecret(ring, String(row.sealed_secret_key), sealingContext(kid));
  const key = firmwareKeyOf(ed25519PublicKeyOf(secretKey));
  if (key.kid !== kid) throw new Error("the co-signer's sealed key does not match its key id");
  return { ...key, secretKey };
}

export async function signingPublicKey(db: Executor): Promise<FirmwareKey | null> {
  const row = (await db.execute("SELECT public_key FROM signing_key WHERE id = 1")).rows[0];
  return row ? firmwareKeyOf(new Uint8Array(row.public_key as ArrayBuffer)) : null;
}

export interface ReleaseKeyRecord {
  key: FirmwareKey;
  revokedAt: number | null;
}

export async function findReleaseKey(db: Executor, kid: string): Promise<ReleaseKeyRecord | null> {
  const row = (await db.execute({ sql: "SELECT public_key, revoked_at FROM release_keys WHERE kid = ?", args: [kid] })).rows[0];
  if (!row) return null;
  return { key: firmwareKeyOf(new Uint8Array(row.public_key as ArrayBuffer)), revokedAt: row.revoked_at === null ? null : Number(row.revoked_at) };
}

/** "accepted", "already accepted", or "revoked": a revoked key never comes back. */
export async function acceptReleaseKey(db: Executor, key: FirmwareKey, now: number): Promise<"accepted" | "already_accepted" | "revoked"> {
  const inserted = await db.execute({
    sql: "INSERT INTO release_keys (kid, public_key, accepted_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
    args: [key.kid, key.publicKey, now],
  });
  if (inserted.rowsAffected === 1) return "accepted";
  return (await findReleaseKey(db, key.kid))?.revokedAt === null ? "already_accepted" : "revoked";
}

/** Revokes an accepted key; false when no accepted, unrevoked key has this id. */
export async function revokeReleaseKey(db: Executor, kid: string, now: number): Promise<boolean> {
  const result = await db.execute({ sql: "UPDATE release_keys SET revoked_at = ? WHERE kid = ? AND revoked_at IS NULL", args: [now, kid] });
  return result.rowsAffected === 1;
}

export async function listReleaseKeys(db: Executor): Promise<{ kid: string; acceptedAt: number; revokedAt: number | null }[]> {
  const rows = (await db.execute("SELECT kid, accepted_at, revoked_at FROM release_keys ORDER BY accepted_at, kid")).rows;
  return rows.map((row) => ({ kid: String(row.kid), acceptedAt: Number(row.accepted_at), revokedAt: row.revoked_at === null ? null : Number(row.revoked_at) }));
}
