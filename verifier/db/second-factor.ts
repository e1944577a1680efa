import type { Client, Transaction } from "@libsql/client";
import {
  type KeyRing,
  KEY_CHECK_CONTEXT,
  KEY_CHECK_PLAINTEXT,
  SecretEnvelopeError,
  isKeyCheck,
  openSecret,
  parseKeyRing,
  sealSecret,
} from "../../src/secrets/envelope.ts";
import { TOTP_WINDOW_STEPS } from "../../src/totp/totp-code.ts";

/**
 * Database rules behind a second factor, shared by the verifier (owners) and
 * the co-signer (release operators), each on its own database:
 * - a TOTP time step is accepted once per subject, enforced by a primary key,
 *   so two instances racing on one code accept it once; steps that have left
 *   the acceptance window are pruned;
 * - failed attempts are counted per scope (an account, an address) in a
 *   sliding window, so guessing is throttled across instances;
 * - a known-plaintext envelope per key id catches a wrong key at start-up,
 *   before any secret is needed.
 * Include SECOND_FACTOR_TABLES in the service's migrations.
 */
export const SECOND_FACTOR_TABLES = [
  `CREATE TABLE totp_steps_used (
     subject TEXT NOT NULL,
     step INTEGER NOT NULL,
     used_at INTEGER NOT NULL,
     PRIMARY KEY (subject, step))`,
  `CREATE TABLE attempt_failures (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     scope TEXT NOT NULL,
     at INTEGER NOT NULL)`,
  `CREATE INDEX attempt_failures_by_scope ON attempt_failures (scope, at)`,
  `CREATE TABLE key_checks (
     kid TEXT PRIMARY KEY,
     envelope TEXT NOT NULL,
     created_at INTEGER NOT NULL)`,
];

type Executor = Pick<Client | Transaction, "execute">;

/**
 * Steps kept beyond those still accepted: instances on one database whose
 * clocks differ (at a step boundary, by a millisecond is enough) disagree on
 * which steps are accepted, and a step one has pruned must not become usable
 * again at another.
 */
const CLOCK_SPREAD_STEPS = 2;

/**
 * Marks a subject's TOTP step used; false when it already was (a replayed
 * code). While `step` is accepted the clock is at most TOTP_WINDOW_STEPS
 * before it, so a step more than twice that before it is refused from now
 * on: the subject's older steps are deleted, and the table holds a handful
 * of rows per subject, not one per sign-in.
 */
export async function consumeTotpStep(db: Executor, subject: string, step: number, now: number): Promise<boolean> {
  await db.execute({
    sql: "DELETE FROM totp_steps_used WHERE subject = ? AND step < ?",
    args: [subject, step - 2 * TOTP_WINDOW_STEPS - CLOCK_SPREAD_STEPS],
  });
  const result = await db.execute({
    sql: "INSERT INTO totp_steps_used (subject, step, used_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
    args: [subject, step, now],
  });
  return result.rowsAffected === 1;
}

export interface AttemptLimit {
  max: number;
  windowMs: number;
}

/** Milliseconds until the scope may try again, or 0 when it is not throttled. */
export async function throttledFor(db: Executor, scope: string, limit: AttemptLimit, now: number): Promise<number> {
  const rows = (
    await db.execute({
      sql: "SELECT at FROM attempt_failures WHERE scope = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?",
      args: [scope, now - limit.windowMs, limit.max - 1],
    })
  ).rows;
  return rows.length === 0 ? 0 : Number(rows[0]!.at) + limit.windowMs - now;
}

export async function recordFailure(db: Executor, scope: string, limit: AttemptLimit, now: number): Promise<void> {
  await db.execute({ sql: "DELETE FROM attempt_failures WHERE scope = ? AND at <= ?", args: [scope, now - limit.windowMs] });
  await db.execute({ sql: "INSERT INTO attempt_failures (scope, at) VALUES (?, ?)", args: [scope, now] });
}

export async function clearFailures(db: Executor, scope: string): Promise<void> {
  await db.execute({ sql: "DELETE FROM attempt_failures WHERE scope = ?", args: [scope] });
}

/** The configured key ring (`kid:key,…` from `settingName`), once it is known to open this database's secrets. */
export async function keyRingFor(db: Client, spec: string, settingName: string, now: number): Promise<KeyRing> {
  const ring = await parseKeyRing(spec, settingName);
  await assertKeyRingMatches(db, ring, settingName, now);
  return ring;
}

/**
 * Fails loudly when a configured key is not the key that sealed this
 * database's secrets (or a key that sealed them is missing), and records a
 * check for keys seen for the first time.
 */
export async function assertKeyRingMatches(db: Client, ring: KeyRing, settingName: string, now: number): Promise<void> {
  const stored = (await db.execute("SELECT kid, envelope FROM key_checks")).rows;
  for (const row of stored) {
    const kid = String(row.kid);
    if (!ring.keys.has(kid)) throw new Error(`${settingName} lacks key ${kid}, which sealed secrets in this database`);
    try {
      if (!isKeyCheck(await openSecret(ring, String(row.envelope), KEY_CHECK_CONTEXT))) throw new Error("key check mismatch");
    } catch (error) {
      const reason = error instanceof SecretEnvelopeError ? error.message : String(error);
      throw new Error(`${settingName}: key ${kid} is not the key this database was sealed with (${reason})`);
    }
  }
  const known = new Set(stored.map((row) => String(row.kid)));
  for (const kid of ring.keys.keys()) {
    if (known.has(kid)) continue;
    const single: KeyRing = { current: kid, keys: new Map([[kid, ring.keys.get(kid)!]]) };
    await db.execute({
      sql: "INSERT INTO key_checks (kid, envelope, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
      args: [kid, await sealSecret(single, KEY_CHECK_PLAINTEXT, KEY_CHECK_CONTEXT, now), now],
    });
  }
}
