import { FIRMWARE_TABLES } from "./firmware-schema.ts";
import { OWNER_TABLES } from "./owner-schema.ts";
import { THUMBNAIL_TABLES } from "./thumbnails.ts";

/**
 * Migrations, applied in order on start; each runs once (PRAGMA user_version).
 * The invariants live here as constraints, so they hold however many verifier
 * instances share the database: a nonce and a record are stored once, and a
 * credential's counters are unique.
 */
export const MIGRATIONS: string[][] = [
  [
    `CREATE TABLE credentials (
       id TEXT PRIMARY KEY,
       public_key BLOB NOT NULL,
       cose_key BLOB NOT NULL,
       rp_id TEXT NOT NULL,
       origin TEXT NOT NULL,
       aaguid BLOB NOT NULL,
       serial TEXT NOT NULL,
       model TEXT,
       attestation_certificate BLOB NOT NULL,
       attestation_issuer TEXT NOT NULL,
       registered_at INTEGER NOT NULL,
       last_counter INTEGER NOT NULL DEFAULT 0,
       last_record_hash BLOB NOT NULL,
       flagged_at INTEGER,
       flag_reason TEXT,
       revoked_at INTEGER)`,
    `CREATE INDEX credentials_serial ON credentials (serial)`,
    `CREATE TABLE registration_challenges (
       challenge BLOB PRIMARY KEY,
       expires_at INTEGER NOT NULL)`,
    `CREATE TABLE captures (
       id TEXT PRIMARY KEY,
       credential_id TEXT NOT NULL REFERENCES credentials (id),
       record_hash BLOB NOT NULL UNIQUE,
       nonce BLOB NOT NULL UNIQUE,
       counter INTEGER NOT NULL,
       prev BLOB NOT NULL,
       chain_gap INTEGER NOT NULL,
       content_hash BLOB NOT NULL,
       captured_at INTEGER NOT NULL,
       received_at INTEGER NOT NULL,
       source TEXT NOT NULL,
       model TEXT NOT NULL,
       firmware TEXT NOT NULL,
       serial TEXT NOT NULL,
       width INTEGER NOT NULL,
       height INTEGER NOT NULL,
       anchor_t INTEGER,
       record BLOB NOT NULL,
       UNIQUE (credential_id, counter))`,
    `CREATE INDEX captures_by_credential ON captures (credential_id, counter)`,
    `CREATE TABLE server_keys (
       kid BLOB PRIMARY KEY,
       purpose TEXT NOT NULL,
       public_key BLOB NOT NULL,
       private_key BLOB NOT NULL,
       created_at INTEGER NOT NULL)`,
  ],
  OWNER_TABLES,
  FIRMWARE_TABLES,
  THUMBNAIL_TABLES,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
