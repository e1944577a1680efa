/**
 * Owner accounts, sessions, TOTP enrolment and recovery codes (migration 2,
 * with SECOND_FACTOR_TABLES and LIFECYCLE_TABLES; see verifier/db/owner-schema.ts).
 * - an email address is stored once (lower-cased), so sign-up races end in one account;
 * - `totp_secret` is a sealed envelope (src/secrets/envelope.ts) bound to the owner id;
 *   it is set at enrolment start and counts only once `totp_enrolled_at` is set;
 * - a session row keeps the SHA-256 of its cookie token, never the token;
 * - a recovery code is stored as its SHA-256 and spent by a conditional UPDATE.
 */
export const ACCOUNT_TABLES: string[] = [
  `CREATE TABLE owners (
     id TEXT PRIMARY KEY,
     email TEXT NOT NULL UNIQUE,
     display_name TEXT NOT NULL,
     password_hash TEXT NOT NULL,
     totp_secret TEXT,
     totp_enrolled_at INTEGER,
     created_at INTEGER NOT NULL,
     CHECK (totp_enrolled_at IS NULL OR totp_secret IS NOT NULL))`,
  `CREATE TABLE sessions (
     id TEXT PRIMARY KEY,
     token_hash BLOB NOT NULL UNIQUE,
     owner_id TEXT NOT NULL REFERENCES owners (id),
     state TEXT NOT NULL CHECK (state IN ('awaiting_code', 'awaiting_enrolment', 'full')),
     csrf_token TEXT NOT NULL,
     user_agent TEXT,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     revoked_at INTEGER)`,
  `CREATE INDEX sessions_by_owner ON sessions (owner_id, expires_at)`,
  `CREATE TABLE recovery_codes (
     owner_id TEXT NOT NULL REFERENCES owners (id),
     code_hash BLOB NOT NULL,
     created_at INTEGER NOT NULL,
     used_at INTEGER,
     PRIMARY KEY (owner_id, code_hash))`,
];
