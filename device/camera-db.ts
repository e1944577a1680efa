import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Client, createClient } from "@libsql/client";
import { FIRMWARE_SCHEMA } from "./firmware/firmware-db.ts";

/**
 * The camera's own embedded database: its secure-element state (keys and the
 * signature counter), its registration and its offline queue. One file, so a
 * capture's counter, chain link and queue entry commit together or not at all.
 */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS identity (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     serial TEXT NOT NULL,
     model TEXT NOT NULL,
     firmware TEXT NOT NULL,
     aaguid BLOB NOT NULL,
     attestation_key BLOB NOT NULL,
     attestation_certificate BLOB NOT NULL,
     manufactured_at INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS credentials (
     credential_id BLOB PRIMARY KEY,
     rp_id TEXT NOT NULL,
     origin TEXT NOT NULL,
     verifier_url TEXT NOT NULL,
     private_key BLOB NOT NULL,
     sign_count INTEGER NOT NULL DEFAULT 0 CHECK (sign_count >= 0),
     last_record_hash BLOB NOT NULL,
     registered_at INTEGER,
     created_at INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS time_anchor (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     t INTEGER NOT NULL,
     kid BLOB NOT NULL,
     sig BLOB NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS queue (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     file TEXT NOT NULL UNIQUE,
     credential_id BLOB NOT NULL,
     record_hash BLOB NOT NULL UNIQUE,
     counter INTEGER NOT NULL,
     captured_at INTEGER NOT NULL,
     source TEXT NOT NULL,
     state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'synced', 'rejected')),
     capture_id TEXT,
     error_code TEXT,
     chain_gap INTEGER NOT NULL DEFAULT 0,
     settled_at INTEGER)`,
  `CREATE INDEX IF NOT EXISTS queue_pending ON queue (state, seq)`,
  ...FIRMWARE_SCHEMA,
];

export interface CameraPaths {
  dir: string;
  database: string;
  captures: string;
}

export function cameraPaths(dir: string): CameraPaths {
  return { dir, database: join(dir, "camera.db"), captures: join(dir, "captures") };
}

export async function openCameraDb(dir: string): Promise<Client> {
  const paths = cameraPaths(dir);
  mkdirSync(paths.captures, { recursive: true });
  const db = createClient({ url: `file:${paths.database}` });
  // WAL with synchronous=NORMAL survives a process crash at any point; before
  // any record leaves the camera, sync forces a full checkpoint, so a power cut
  // can never roll back a counter the verifier has already seen.
  await db.execute("PRAGMA journal_mode = WAL");
  await db.execute("PRAGMA synchronous = NORMAL");
  await db.execute("PRAGMA busy_timeout = 5000");
  await db.batch(SCHEMA, "write");
  return db;
}

/** Makes everything committed so far durable on disk. */
export async function makeDurable(db: Client): Promise<void> {
  await db.execute("PRAGMA wal_checkpoint(FULL)");
}
