import type { Client, Transaction } from "@libsql/client";
import { toBase64Url, utf8 } from "../../src/bytes.ts";
import { sha256 } from "../../src/crypto/sha256.ts";
import { ProvenanceError } from "../../src/errors.ts";
import { newHumanCode, normalizeHumanCode } from "../../src/pairing/human-code.ts";
import { appendAudit } from "./audit-log.ts";
import { type AttemptLimit, recordFailure, throttledFor } from "./second-factor.ts";
import { inWriteTransaction } from "./write-transaction.ts";

type Executor = Pick<Client | Transaction, "execute">;

export type DevicePurpose = "pair" | "status";

/** Pairing codes: 10 symbols of Crockford base32 (50 bits), shown as XXXXX-XXXXX. */
export const PAIRING_CODE_LENGTH = 10;

/** Unexpired challenges kept per credential, whatever their purpose. */
export const MAX_DEVICE_CHALLENGES = 5;

/**
 * Anyone may ask for challenges for a credential id (it is printed in every
 * photo), so a credential holds at most MAX_DEVICE_CHALLENGES, and a new one
 * replaces the oldest, in the transaction that inserts it. Refusing new ones
 * instead would let anyone lock a camera out of pairing and status checks for
 * a challenge's lifetime with a handful of requests; replacing the oldest
 * only troubles a camera whose own challenge is pushed out in the moment
 * between its request and its assertion, and it can simply ask again.
 * Rowids grow with each insert, so the newest rows are the highest.
 */
export async function issueDeviceChallenge(db: Client, credentialId: string, purpose: DevicePurpose, now: number, ttlMs: number) {
  const challenge = crypto.getRandomValues(new Uint8Array(32));
  const expiresAt = now + ttlMs;
  await db.batch(
    [
      { sql: "DELETE FROM device_challenges WHERE expires_at < ?", args: [now] },
      { sql: "INSERT INTO device_challenges (challenge, credential_id, purpose, expires_at) VALUES (?, ?, ?, ?)", args: [challenge, credentialId, purpose, expiresAt] },
      {
        sql: `DELETE FROM device_challenges WHERE credential_id = ? AND rowid NOT IN
                (SELECT rowid FROM device_challenges WHERE credential_id = ? ORDER BY rowid DESC LIMIT ?)`,
        args: [credentialId, credentialId, MAX_DEVICE_CHALLENGES],
      },
    ],
    "write",
  );
  return { challenge, expiresAt };
}

/** Spends a challenge: true once, for the credential and purpose it was issued for, before it expires. */
export async function consumeDeviceChallenge(db: Executor, challenge: Uint8Array, credentialId: string, purpose: DevicePurpose, now: number): Promise<boolean> {
  const spent = await db.execute({
    sql: "DELETE FROM device_challenges WHERE challenge = ? AND credential_id = ? AND purpose = ? RETURNING expires_at",
    args: [challenge, credentialId, purpose],
  });
  const expiresAt = spent.rows[0]?.expires_at;
  return expiresAt !== undefined && Number(expiresAt) >= now;
}

export const secretHash = (secret: string): Promise<Uint8Array> => sha256(utf8(secret));

export interface IssuedPairingCode {
  code: string;
  pollSecret: string;
  expiresAt: number;
}

/**
 * A camera that proved it holds its credential gets a pairing code, when it
 * has no owner, is not revoked and is not a re-registration awaiting its
 * owner. A new code replaces the camera's unclaimed ones, so one code is
 * live per camera.
 */
export async function issuePairingCode(db: Client, credentialId: string, now: number, ttlMs: number): Promise<IssuedPairingCode> {
  const code = newHumanCode(PAIRING_CODE_LENGTH, 5);
  const pollSecret = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const expiresAt = now + ttlMs;
  const codeHash = await secretHash(normalizeHumanCode(code)!);
  const pollSecretHash = await secretHash(pollSecret);
  await inWriteTransaction(db, async (tx) => {
    const row = (
      await tx.execute({
        sql: `SELECT c.revoked_at,
                EXISTS (SELECT 1 FROM ownership h WHERE h.credential_id = c.id AND h.to_at IS NULL) AS owned,
                EXISTS (SELECT 1 FROM reregistrations r WHERE r.credential_id = c.id AND r.decision IS NULL) AS pending
              FROM credentials c WHERE c.id = ?`,
        args: [credentialId],
      })
    ).rows[0]!;
    if (Number(row.pending) === 1) throw new ProvenanceError("credential_pending_approval");
    if (row.revoked_at !== null) throw new ProvenanceError("device_revoked");
    if (Number(row.owned) === 1) throw new ProvenanceError("device_already_owned");
    // Expired codes stay one lifetime past expiry, so a polling camera hears "expired" rather than "unknown".
    await tx.execute({ sql: "DELETE FROM pairing_codes WHERE claimed_at IS NULL AND (credential_id = ? OR expires_at < ?)", args: [credentialId, now - ttlMs] });
    await tx.execute({
      sql: "INSERT INTO pairing_codes (code_hash, poll_secret_hash, credential_id, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)",
      args: [codeHash, pollSecretHash, credentialId, now, expiresAt],
    });
    await appendAudit(tx, now, { action: "pairing_code_issued", credentialId, actor: "device", ownerId: null, detail: { expiresAt: new Date(expiresAt).toISOString() } });
  });
  return { code, pollSecret, expiresAt };
}

export type PairingState = { state: "waiting"; expiresAt: number } | { state: "expired" } | { state: "claimed"; ownerDisplayName: string };

/** What a camera polling with its secret learns: nothing about any other code. */
export async function pairingState(db: Executor, pollSecret: string, now: number): Promise<PairingState | null> {
  const row = (
    await db.execute({
      sql: `SELECT p.expires_at, p.claimed_at, o.display_name FROM pairing_codes p LEFT JOIN owners o ON o.id = p.claimed_by
            WHERE p.poll_secret_hash = ?`,
      args: [await secretHash(pollSecret)],
    })
  ).rows[0];
  if (!row) return null;
  if (row.claimed_at !== null) return { state: "claimed", ownerDisplayName: String(row.display_name) };
  if (Number(row.expires_at) <= now) return { state: "expired" };
  return { state: "waiting", expiresAt: Number(row.expires_at) };
}

/** An owner entering a one-time code (a camera's pairing code, or a transfer code) and naming the camera. */
export interface ClaimRequest {
  ownerId: string;
  code: string;
  name: string;
  now: number;
  limit: AttemptLimit;
}

/**
 * A signed-in owner claims the camera showing this code. The checks, in order:
 * 1. the owner is not throttled for wrong codes (too_many_attempts);
 * 2. the code is one that was issued (pairing_code_invalid), unused
 *    (pairing_code_used) and unexpired (pairing_code_expired); each wrong
 *    code counts against the owner;
 * 3. the code is spent with a conditional UPDATE, so two claims race to one;
 * 4. the camera still has no owner (the open-ownership unique index decides),
 *    is not revoked and is not held for approval.
 * Returns the credential id; throttling returns the wait instead.
 */
export async function claimPairingCode(db: Client, request: ClaimRequest): Promise<{ credentialId: string } | { retryAfterMs: number }> {
  const { ownerId, now, limit } = request;
  const scope = `pairing-code:${ownerId}`;
  const normalized = normalizeHumanCode(request.code);
  const codeHash = normalized === null ? null : await secretHash(normalized);
  const outcome = await inWriteTransaction(db, async (tx) => {
    const wait = await throttledFor(tx, scope, limit, now);
    if (wait > 0) return { retryAfterMs: wait };
    const refusal = await refusalOf(tx, codeHash, now);
    if (refusal) {
      await recordFailure(tx, scope, limit, now);
      return refusal;
    }
    const claimed = (
      await tx.execute({
        sql: `UPDATE pairing_codes SET claimed_by = ?, claimed_at = ? WHERE code_hash = ? AND claimed_at IS NULL AND expires_at > ?
              RETURNING credential_id`,
        args: [ownerId, now, codeHash, now],
      })
    ).rows[0];
    if (!claimed) return new ProvenanceError("pairing_code_used");
    const credentialId = String(claimed.credential_id);
    const device = (
      await tx.execute({
        sql: `SELECT c.revoked_at, EXISTS (SELECT 1 FROM reregistrations r WHERE r.credential_id = c.id AND r.decision IS NULL) AS pending
              FROM credentials c WHERE c.id = ?`,
        args: [credentialId],
      })
    ).rows[0]!;
    if (Number(device.pending) === 1) throw new ProvenanceError("credential_pending_approval");
    if (device.revoked_at !== null) throw new ProvenanceError("device_revoked");
    try {
      await tx.execute({
        sql: "INSERT INTO ownership (credential_id, owner_id, name, from_at) VALUES (?, ?, ?, ?)",
        args: [credentialId, ownerId, request.name, now],
      });
    } catch (error) {
      if (/UNIQUE/i.test(String(error))) throw new ProvenanceError("device_already_owned");
      throw error;
    }
    await appendAudit(tx, now, { action: "paired", credentialId, actor: { ownerId }, ownerId, detail: { name: request.name } });
    return { credentialId };
  });
  if (outcome instanceof ProvenanceError) throw outcome;
  return outcome;
}

/** Why a code cannot be claimed, told apart so the owner knows what to do; null when it can be. */
async function refusalOf(tx: Transaction, codeHash: Uint8Array | null, now: number): Promise<ProvenanceError | null> {
  if (codeHash === null) return new ProvenanceError("pairing_code_invalid");
  const row = (await tx.execute({ sql: "SELECT claimed_at, expires_at FROM pairing_codes WHERE code_hash = ?", args: [codeHash] })).rows[0];
  if (!row) return new ProvenanceError("pairing_code_invalid");
  if (row.claimed_at !== null) return new ProvenanceError("pairing_code_used");
  if (Number(row.expires_at) <= now) return new ProvenanceError("pairing_code_expired");
  return null;
}
