import type { Client } from "@libsql/client";
import { openMigratedDb } from "../../verifier/db/open.ts";
import { SECOND_FACTOR_TABLES } from "../../verifier/db/second-factor.ts";

/**
 * The co-signer's own database: its signing key (sealed), the release
 * operators and their TOTP secrets (sealed), the release keys it accepts or
 * has revoked, and the request log. The log is append-only by the database's
 * own rule: triggers abort any UPDATE or DELETE on it. Migration 2 records the
 * client address of each request, which failed attempts also count against.
 */
const MIGRATIONS: string[][] = [
  [
    ...SECOND_FACTOR_TABLES,
    `CREATE TABLE signing_key (
       id INTEGER PRIMARY KEY CHECK (id = 1),
       kid TEXT NOT NULL,
       public_key BLOB NOT NULL,
       sealed_secret_key TEXT NOT NULL,
       created_at INTEGER NOT NULL)`,
    `CREATE TABLE operators (
       name TEXT PRIMARY KEY,
       sealed_totp_secret TEXT NOT NULL,
       created_at INTEGER NOT NULL)`,
    `CREATE TABLE release_keys (
       kid TEXT PRIMARY KEY,
       public_key BLOB NOT NULL,
       accepted_at INTEGER NOT NULL,
       revoked_at INTEGER)`,
    `CREATE TABLE cosign_log (
       seq INTEGER PRIMARY KEY AUTOINCREMENT,
       at INTEGER NOT NULL,
       outcome TEXT NOT NULL CHECK (outcome IN ('granted', 'refused')),
       reason TEXT,
       operator TEXT,
       release_kid TEXT,
       manifest_sha256 BLOB,
       model TEXT,
       version TEXT,
       signature BLOB,
       CHECK ((outcome = 'granted') = (signature IS NOT NULL AND reason IS NULL)))`,
    `CREATE TRIGGER cosign_log_no_update BEFORE UPDATE ON cosign_log
       BEGIN SELECT RAISE(ABORT, 'cosign_log is append-only'); END`,
    `CREATE TRIGGER cosign_log_no_delete BEFORE DELETE ON cosign_log
       BEGIN SELECT RAISE(ABORT, 'cosign_log is append-only'); END`,
  ],
  [`ALTER TABLE cosign_log ADD COLUMN address TEXT`],
];

export function openCosignerDb(url: string): Promise<Client> {
  return openMigratedDb(url, MIGRATIONS);
}
