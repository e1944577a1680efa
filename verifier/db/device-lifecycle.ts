import type { Client, InStatement, Transaction } from "@libsql/client";
import { ProvenanceError } from "../../src/errors.ts";
import { newHumanCode, normalizeHumanCode } from "../../src/pairing/human-code.ts";
import { appendAudit } from "./audit-log.ts";
import { type ClaimRequest, secretHash } from "./pairing-codes.ts";
import { recordFailure, throttledFor } from "./second-factor.ts";
import { inWriteTransaction } from "./write-transaction.ts";

/** Transfer codes live longer than pairing codes (a day, not minutes), so they are longer: 12 symbols, 60 bits. */
export const TRANSFER_CODE_LENGTH = 12;

/**
 * Registration, with its audit record, in one transaction. A credential for a
 * serial whose previous credential has an owner is a factory-reset camera (or
 * a stolen one, reset by its thief): it is held until that owner approves.
 */
export async function recordRegistration(db: Client, insert: InStatement, credential: { id: string; serial: string }, now: number): Promise<{ pendingApproval: boolean }> {
  return inWriteTransaction(db, async (tx) => {
    await tx.execute(insert);
    const previous = (
      await tx.execute({
        sql: `SELECT c.id, h.owner_id FROM credentials c JOIN ownership h ON h.credential_id = c.id AND h.to_at IS NULL
              WHERE c.serial = ? AND c.id != ? ORDER BY c.registered_at DESC, c.rowid DESC LIMIT 1`,
        args: [credential.serial, credential.id],
      })
    ).rows[0];
    await appendAudit(tx, now, { action: "registered", credentialId: credential.id, actor: "device", ownerId: null, detail: { serial: credential.serial } });
    if (!previous) return { pendingApproval: false };
    await tx.execute({
      sql: "INSERT INTO reregistrations (credential_id, previous_credential_id, requested_at) VALUES (?, ?, ?)",
      args: [credential.id, String(previous.id), now],
    });
    await appendAudit(tx, now, {
      action: "reregistration_pending",
      credentialId: credential.id,
      actor: "device",
      ownerId: String(previous.owner_id),
      detail: { previousCredentialId: String(previous.id) },
    });
    return { pendingApproval: true };
  });
}

interface OpenOwnership {
  ownershipId: number;
  name: string;
  revokedAt: number | null;
}

async function openOwnership(tx: Transaction, ownerId: string, credentialId: string): Promise<OpenOwnership | null> {
  const row = (
    await tx.execute({
      sql: `SELECT h.id, h.name, c.revoked_at FROM ownership h JOIN credentials c ON c.id = h.credential_id
            WHERE h.credential_id = ? AND h.owner_id = ? AND h.to_at IS NULL`,
      args: [credentialId, ownerId],
    })
  ).rows[0];
  return row ? { ownershipId: Number(row.id), name: String(row.name), revokedAt: row.revoked_at === null ? null : Number(row.revoked_at) } : null;
}

/** The acting owner's open ownership of a credential, or not_found: another owner's device does not exist for them. */
async function ownedBy(tx: Transaction, ownerId: string, credentialId: string): Promise<OpenOwnership> {
  const owned = await openOwnership(tx, ownerId, credentialId);
  if (!owned) throw new ProvenanceError("not_found");
  return owned;
}

export async function renameDevice(db: Client, ownerId: string, credentialId: string, name: string, now: number): Promise<void> {
  await inWriteTransaction(db, async (tx) => {
    const owned = await ownedBy(tx, ownerId, credentialId);
    await tx.execute({ sql: "UPDATE ownership SET name = ? WHERE id = ?", args: [name, owned.ownershipId] });
    await appendAudit(tx, now, { action: "renamed", credentialId, actor: { ownerId }, ownerId, detail: { from: owned.name, to: name } });
  });
}

/**
 * Revocation from now on: captures sealed and received before it stay valid
 * (src/verify/verify-capture.ts step 2), later ones are refused.
 */
export async function revokeDevice(db: Client, ownerId: string, credentialId: string, now: number): Promise<void> {
  await inWriteTransaction(db, async (tx) => {
    await ownedBy(tx, ownerId, credentialId);
    const revoked = await tx.execute({ sql: "UPDATE credentials SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", args: [now, credentialId] });
    if (revoked.rowsAffected !== 1) throw new ProvenanceError("device_already_revoked");
    await appendAudit(tx, now, { action: "revoked", credentialId, actor: { ownerId }, ownerId });
  });
}

/** A theft report revokes from the report on (or keeps an earlier revocation) and is shown on every public check. */
export async function reportStolen(db: Client, ownerId: string, credentialId: string, now: number): Promise<void> {
  await inWriteTransaction(db, async (tx) => {
    await ownedBy(tx, ownerId, credentialId);
    const reported = await tx.execute({
      sql: "INSERT INTO theft_reports (credential_id, owner_id, reported_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
      args: [credentialId, ownerId, now],
    });
    if (reported.rowsAffected !== 1) throw new ProvenanceError("device_already_reported_stolen");
    await tx.execute({ sql: "UPDATE credentials SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", args: [now, credentialId] });
    await appendAudit(tx, now, { action: "reported_stolen", credentialId, actor: { ownerId }, ownerId });
  });
}

/** The current owner starts a transfer: a one-time code for the receiving owner, replacing any earlier unused one. */
export async function startTransfer(db: Client, ownerId: string, credentialId: string, now: number, ttlMs: number): Promise<{ code: string; expiresAt: number }> {
  const code = newHumanCode(TRANSFER_CODE_LENGTH, 4);
  const expiresAt = now + ttlMs;
  const codeHash = await secretHash(normalizeHumanCode(code)!);
  await inWriteTransaction(db, async (tx) => {
    const owned = await ownedBy(tx, ownerId, credentialId);
    if (owned.revokedAt !== null) throw new ProvenanceError("device_revoked");
    await tx.execute({ sql: "DELETE FROM transfers WHERE credential_id = ? AND completed_at IS NULL", args: [credentialId] });
    await tx.execute({
      sql: "INSERT INTO transfers (code_hash, credential_id, from_owner_id, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)",
      args: [codeHash, credentialId, ownerId, now, expiresAt],
    });
    await appendAudit(tx, now, { action: "transfer_started", credentialId, actor: { ownerId }, ownerId, detail: { expiresAt: new Date(expiresAt).toISOString() } });
  });
  return { code, expiresAt };
}

/**
 * The receiving owner confirms with the transfer code. The checks, in order:
 * 1. the owner is not throttled for wrong codes (too_many_attempts);
 * 2. the code was issued (transfer_code_invalid), is unused
 *    (transfer_code_used) and unexpired (transfer_code_expired); each wrong
 *    code counts against the owner;
 * 3. the receiver is not the giver (transfer_to_self);
 * 4. the code is spent with a conditional UPDATE (two confirmations race to one);
 * 5. the giver still owns the camera and it is not revoked;
 * then the giver's ownership closes and the receiver's opens at the same
 * instant, so every capture keeps the owner it had when it was taken.
 */
export async function acceptTransfer(db: Client, request: ClaimRequest): Promise<{ credentialId: string } | { retryAfterMs: number }> {
  const { ownerId, now, limit } = request;
  const scope = `transfer-code:${ownerId}`;
  const normalized = normalizeHumanCode(request.code);
  const codeHash = normalized === null ? null : await secretHash(normalized);
  const outcome = await inWriteTransaction(db, async (tx) => {
    const wait = await throttledFor(tx, scope, limit, now);
    if (wait > 0) return { retryAfterMs: wait };
    const row = codeHash === null ? undefined : (await tx.execute({ sql: "SELECT * FROM transfers WHERE code_hash = ?", args: [codeHash] })).rows[0];
    const refusal = !row
      ? new ProvenanceError("transfer_code_invalid")
      : row.completed_at !== null
        ? new ProvenanceError("transfer_code_used")
        : Number(row.expires_at) <= now
          ? new ProvenanceError("transfer_code_expired")
          : null;
    if (refusal) {
      await recordFailure(tx, scope, limit, now);
      return refusal;
    }
    const fromOwnerId = String(row!.from_owner_id);
    const credentialId = String(row!.credential_id);
    if (fromOwnerId === ownerId) return new ProvenanceError("transfer_to_self");
    const spent = await tx.execute({
      sql: "UPDATE transfers SET to_owner_id = ?, completed_at = ? WHERE code_hash = ? AND completed_at IS NULL AND expires_at > ?",
      args: [ownerId, now, codeHash, now],
    });
    if (spent.rowsAffected !== 1) return new ProvenanceError("transfer_code_used");
    const giver = await openOwnership(tx, fromOwnerId, credentialId);
    if (!giver) throw new ProvenanceError("transfer_code_invalid", "the camera changed hands since the transfer started");
    if (giver.revokedAt !== null) throw new ProvenanceError("device_revoked");
    await tx.execute({ sql: "UPDATE ownership SET to_at = ? WHERE id = ?", args: [now, giver.ownershipId] });
    await tx.execute({ sql: "INSERT INTO ownership (credential_id, owner_id, name, from_at) VALUES (?, ?, ?, ?)", args: [credentialId, ownerId, request.name, now] });
    await appendAudit(tx, now, { action: "transfer_completed", credentialId, actor: { ownerId }, ownerId: fromOwnerId });
    return { credentialId };
  });
  if (outcome instanceof ProvenanceError) throw outcome;
  return outcome;
}

/**
 * The owner of the replaced credential decides on a re-registration. Approval
 * gives them the new credential from its registration on (captures it sealed
 * while held count from then) and revokes the old one; refusal revokes the
 * new credential from its registration, so nothing it sealed ever counts.
 */
export async function decideReregistration(db: Client, ownerId: string, credentialId: string, decision: "approved" | "refused", now: number): Promise<void> {
  await inWriteTransaction(db, async (tx) => {
    const held = (
      await tx.execute({
        sql: `SELECT r.previous_credential_id, r.decision, c.registered_at, h.name FROM reregistrations r
              JOIN credentials c ON c.id = r.credential_id
              JOIN ownership h ON h.credential_id = r.previous_credential_id AND h.owner_id = ? AND h.to_at IS NULL
              WHERE r.credential_id = ?`,
        args: [ownerId, credentialId],
      })
    ).rows[0];
    if (!held) {
      // The owner's own camera that is not waiting for anything is theirs to hear about; anyone else's does not exist.
      await ownedBy(tx, ownerId, credentialId);
      throw new ProvenanceError("reregistration_not_pending");
    }
    const decided = await tx.execute({
      sql: "UPDATE reregistrations SET decision = ?, decided_by = ?, decided_at = ? WHERE credential_id = ? AND decision IS NULL",
      args: [decision, ownerId, now, credentialId],
    });
    if (decided.rowsAffected !== 1) throw new ProvenanceError("reregistration_not_pending");
    const previousCredentialId = String(held.previous_credential_id);
    if (decision === "refused") {
      await tx.execute({ sql: "UPDATE credentials SET revoked_at = COALESCE(revoked_at, registered_at) WHERE id = ?", args: [credentialId] });
      await appendAudit(tx, now, { action: "reregistration_refused", credentialId, actor: { ownerId }, ownerId, detail: { previousCredentialId } });
      return;
    }
    await tx.execute({
      sql: "INSERT INTO ownership (credential_id, owner_id, name, from_at) VALUES (?, ?, ?, ?)",
      args: [credentialId, ownerId, String(held.name), Number(held.registered_at)],
    });
    await appendAudit(tx, now, { action: "reregistration_approved", credentialId, actor: { ownerId }, ownerId, detail: { previousCredentialId } });
    const revoked = await tx.execute({ sql: "UPDATE credentials SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", args: [now, previousCredentialId] });
    if (revoked.rowsAffected === 1) {
      await appendAudit(tx, now, { action: "revoked", credentialId: previousCredentialId, actor: { ownerId }, ownerId, detail: { replacedBy: credentialId } });
    }
  });
}
