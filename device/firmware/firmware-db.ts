import type { Client, Transaction } from "@libsql/client";
import { type KeySet, decodeKeySet, encodeKeySet } from "../../src/firmware/key-set.ts";
import { versionSortKey } from "../../src/firmware/version.ts";

/**
 * The camera's firmware state, in its own database beside the authenticator's:
 * the key sets it has trusted (the newest is current), what each A/B slot holds
 * once verified, the boot pointer, and the claim of the update in progress
 * (update-lock.ts). The database itself refuses the two rollbacks: a key set
 * no newer than the newest one, and a boot pointer moved to a version no newer
 * than the one it names.
 */
export const FIRMWARE_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS firmware_key_sets (
     version INTEGER PRIMARY KEY CHECK (version >= 1),
     key_set BLOB NOT NULL,
     accepted_at INTEGER NOT NULL)`,
  `CREATE TRIGGER IF NOT EXISTS firmware_key_sets_only_forward
     BEFORE INSERT ON firmware_key_sets
     WHEN NEW.version <= (SELECT MAX(version) FROM firmware_key_sets)
     BEGIN SELECT RAISE(ABORT, 'firmware key set rollback'); END`,
  `CREATE TABLE IF NOT EXISTS firmware_slots (
     slot TEXT PRIMARY KEY CHECK (slot IN ('a', 'b')),
     version TEXT NOT NULL,
     image_sha256 BLOB NOT NULL,
     release BLOB NOT NULL,
     key_set_version INTEGER NOT NULL REFERENCES firmware_key_sets (version),
     verified_at INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS firmware_boot (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     slot TEXT NOT NULL CHECK (slot IN ('factory', 'a', 'b')),
     version TEXT NOT NULL,
     version_key TEXT NOT NULL,
     image_sha256 BLOB,
     switched_at INTEGER NOT NULL)`,
  `CREATE TRIGGER IF NOT EXISTS firmware_boot_only_forward
     BEFORE UPDATE ON firmware_boot
     WHEN NEW.version_key <= OLD.version_key
     BEGIN SELECT RAISE(ABORT, 'firmware rollback'); END`,
  `CREATE TABLE IF NOT EXISTS firmware_update_lock (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     pid INTEGER NOT NULL,
     started_at INTEGER NOT NULL)`,
];

export type Slot = "a" | "b";
type Executor = Pick<Client | Transaction, "execute">;

export interface BootPointer {
  slot: Slot | "factory";
  /** The installed version: the highest ever switched to, whatever boots. */
  version: string;
  imageSha256: Uint8Array | null;
}

export interface VerifiedSlot {
  slot: Slot;
  version: string;
  imageSha256: Uint8Array;
  release: Uint8Array;
  keySetVersion: number;
}

/** The factory step: key set version 1 and the factory firmware as the boot pointer. */
export async function recordFactoryFirmware(db: Executor, keySet: KeySet, factoryVersion: string, now: number): Promise<void> {
  await db.execute({ sql: "INSERT INTO firmware_key_sets (version, key_set, accepted_at) VALUES (?, ?, ?)", args: [keySet.version, encodeKeySet(keySet), now] });
  await db.execute({
    sql: "INSERT INTO firmware_boot (id, slot, version, version_key, image_sha256, switched_at) VALUES (1, 'factory', ?, ?, NULL, ?)",
    args: [factoryVersion, versionSortKey(factoryVersion), now],
  });
}

export async function currentKeySet(db: Executor): Promise<KeySet | null> {
  const row = (await db.execute("SELECT key_set FROM firmware_key_sets ORDER BY version DESC LIMIT 1")).rows[0];
  return row ? decodeKeySet(new Uint8Array(row.key_set as ArrayBuffer)) : null;
}

export async function keySetByVersion(db: Executor, version: number): Promise<KeySet | null> {
  const row = (await db.execute({ sql: "SELECT key_set FROM firmware_key_sets WHERE version = ?", args: [version] })).rows[0];
  return row ? decodeKeySet(new Uint8Array(row.key_set as ArrayBuffer)) : null;
}

export async function bootPointer(db: Executor): Promise<BootPointer | null> {
  const row = (await db.execute("SELECT slot, version, image_sha256 FROM firmware_boot WHERE id = 1")).rows[0];
  if (!row) return null;
  return {
    slot: String(row.slot) as BootPointer["slot"],
    version: String(row.version),
    imageSha256: row.image_sha256 === null ? null : new Uint8Array(row.image_sha256 as ArrayBuffer),
  };
}

export async function verifiedSlot(db: Executor, slot: Slot): Promise<VerifiedSlot | null> {
  const row = (await db.execute({ sql: "SELECT version, image_sha256, release, key_set_version FROM firmware_slots WHERE slot = ?", args: [slot] })).rows[0];
  if (!row) return null;
  return {
    slot,
    version: String(row.version),
    imageSha256: new Uint8Array(row.image_sha256 as ArrayBuffer),
    release: new Uint8Array(row.release as ArrayBuffer),
    keySetVersion: Number(row.key_set_version),
  };
}

/** Before a slot is overwritten it stops being anything boot may fall back to. */
export async function forgetSlot(db: Executor, slot: Slot): Promise<void> {
  await db.execute({ sql: "DELETE FROM firmware_slots WHERE slot = ?", args: [slot] });
}

export async function recordVerifiedSlot(db: Executor, verified: VerifiedSlot, now: number): Promise<void> {
  await db.execute({
    sql: `INSERT INTO firmware_slots (slot, version, image_sha256, release, key_set_version, verified_at) VALUES (?, ?, ?, ?, ?, ?)`,
    args: [verified.slot, verified.version, verified.imageSha256, verified.release, verified.keySetVersion, now],
  });
}

/** The switch: one row, one commit. The trigger refuses a pointer moved backwards. */
export async function switchBootPointer(db: Executor, slot: Slot, version: string, imageSha256: Uint8Array, now: number): Promise<void> {
  await db.execute({
    sql: "UPDATE firmware_boot SET slot = ?, version = ?, version_key = ?, image_sha256 = ?, switched_at = ? WHERE id = 1",
    args: [slot, version, versionSortKey(version), imageSha256, now],
  });
}

export async function acceptKeySet(db: Executor, keySet: KeySet, now: number): Promise<void> {
  await db.execute({ sql: "INSERT INTO firmware_key_sets (version, key_set, accepted_at) VALUES (?, ?, ?)", args: [keySet.version, encodeKeySet(keySet), now] });
}
