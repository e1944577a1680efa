/**
 * Ownership of devices, pairing codes, ownership history and the append-only
 * audit log (migration 2, after the account tables). The rules are the
 * database's, so they hold across verifier instances:
 * - a challenge and a pairing or transfer code are spent by a conditional
 *   UPDATE/DELETE … RETURNING, so each is good once;
 * - codes and poll secrets are stored as their SHA-256, never as typed;
 * - a credential has at most one current owner (a partial unique index on the
 *   open ownership row); ownership rows are half-open intervals [from_at,
 *   to_at), so the owner at any moment, a capture's capturedAt, is one row;
 * - audit_log refuses UPDATE and DELETE (triggers), and every lifecycle
 *   action appends to it in the action's own transaction.
 */
export const LIFECYCLE_TABLES: string[] = [
  `CREATE TABLE device_challenges (
     challenge BLOB PRIMARY KEY,
     credential_id TEXT NOT NULL REFERENCES credentials (id),
     purpose TEXT NOT NULL CHECK (purpose IN ('pair', 'status')),
     expires_at INTEGER NOT NULL)`,
  `CREATE TABLE pairing_codes (
     code_hash BLOB PRIMARY KEY,
     poll_secret_hash BLOB NOT NULL UNIQUE,
     credential_id TEXT NOT NULL REFERENCES credentials (id),
     issued_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     claimed_by TEXT REFERENCES owners (id),
     claimed_at INTEGER,
     CHECK ((claimed_by IS NULL) = (claimed_at IS NULL)))`,
  `CREATE INDEX pairing_codes_by_credential ON pairing_codes (credential_id)`,
  `CREATE TABLE ownership (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     credential_id TEXT NOT NULL REFERENCES credentials (id),
     owner_id TEXT NOT NULL REFERENCES owners (id),
     name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
     from_at INTEGER NOT NULL,
     to_at INTEGER,
     CHECK (to_at IS NULL OR to_at >= from_at))`,
  `CREATE UNIQUE INDEX ownership_current ON ownership (credential_id) WHERE to_at IS NULL`,
  `CREATE INDEX ownership_by_owner ON ownership (owner_id, to_at)`,
  `CREATE INDEX ownership_by_credential ON ownership (credential_id, from_at)`,
  `CREATE TABLE theft_reports (
     credential_id TEXT PRIMARY KEY REFERENCES credentials (id),
     owner_id TEXT NOT NULL REFERENCES owners (id),
     reported_at INTEGER NOT NULL)`,
  `CREATE TABLE transfers (
     code_hash BLOB PRIMARY KEY,
     credential_id TEXT NOT NULL REFERENCES credentials (id),
     from_owner_id TEXT NOT NULL REFERENCES owners (id),
     issued_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     to_owner_id TEXT REFERENCES owners (id),
     completed_at INTEGER,
     CHECK ((to_owner_id IS NULL) = (completed_at IS NULL)))`,
  `CREATE INDEX transfers_by_credential ON transfers (credential_id)`,
  // A reset camera's new credential, held until the owner of the serial's
  // previous credential decides; whoever owns that credential now decides.
  `CREATE TABLE reregistrations (
     credential_id TEXT PRIMARY KEY REFERENCES credentials (id),
     previous_credential_id TEXT NOT NULL REFERENCES credentials (id),
     requested_at INTEGER NOT NULL,
     decision TEXT CHECK (decision IN ('approved', 'refused')),
     decided_by TEXT REFERENCES owners (id),
     decided_at INTEGER,
     CHECK ((decision IS NULL) = (decided_at IS NULL) AND (decision IS NULL) = (decided_by IS NULL)))`,
  `CREATE INDEX reregistrations_by_previous ON reregistrations (previous_credential_id)`,
  // actor: who acted (the device itself, or a signed-in owner); owner_id: the
  // device's owner the event concerns, so each sees their devices' history.
  `CREATE TABLE audit_log (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     action TEXT NOT NULL CHECK (action IN ('registered', 'pairing_code_issued', 'paired', 'renamed', 'revoked', 'reported_stolen',
       'transfer_started', 'transfer_completed', 'reregistration_pending', 'reregistration_approved', 'reregistration_refused')),
     credential_id TEXT NOT NULL REFERENCES credentials (id),
     actor TEXT NOT NULL CHECK (actor IN ('device', 'owner')),
     actor_owner_id TEXT REFERENCES owners (id),
     owner_id TEXT REFERENCES owners (id),
     detail TEXT NOT NULL DEFAULT '{}',
     CHECK ((actor = 'owner') = (actor_owner_id IS NOT NULL)))`,
  `CREATE INDEX audit_log_by_actor ON audit_log (actor_owner_id, seq)`,
  `CREATE INDEX audit_log_by_owner ON audit_log (owner_id, seq)`,
  `CREATE INDEX audit_log_by_credential ON audit_log (credential_id, seq)`,
  `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`,
  `CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`,
];
