import type { Client, Transaction } from "@libsql/client";

export type AuditAction =
  | "registered"
  | "pairing_code_issued"
  | "paired"
  | "renamed"
  | "revoked"
  | "reported_stolen"
  | "transfer_started"
  | "transfer_completed"
  | "reregistration_pending"
  | "reregistration_approved"
  | "reregistration_refused";

export interface AuditEvent {
  action: AuditAction;
  credentialId: string;
  /** An owner id when a signed-in owner acted; "device" when the camera did. */
  actor: { ownerId: string } | "device";
  /** The device's owner the event concerns (null while it has none). */
  ownerId: string | null;
  detail?: Record<string, string | number | boolean | null>;
}

/** Appends an event inside the action's transaction: the action and its record commit together or not at all. */
export async function appendAudit(tx: Transaction, at: number, event: AuditEvent): Promise<void> {
  await tx.execute({
    sql: "INSERT INTO audit_log (at, action, credential_id, actor, actor_owner_id, owner_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
    args: [
      at,
      event.action,
      event.credentialId,
      event.actor === "device" ? "device" : "owner",
      event.actor === "device" ? null : event.actor.ownerId,
      event.ownerId,
      JSON.stringify(event.detail ?? {}),
    ],
  });
}

export interface AuditEntry {
  seq: number;
  at: string;
  action: AuditAction;
  credentialId: string;
  serial: string;
  actor: { kind: "device" } | { kind: "owner"; displayName: string; you: boolean };
  detail: Record<string, unknown>;
}

/**
 * What an owner sees of the log, newest first: their own actions, events of
 * devices while they owned them (or had to approve them), and what a device
 * did before anyone owned it, once they own or owned that device.
 */
export async function auditFor(db: Pick<Client, "execute">, ownerId: string, page: { before?: number; limit: number }): Promise<AuditEntry[]> {
  const rows = (
    await db.execute({
      sql: `SELECT a.seq, a.at, a.action, a.credential_id, a.actor, a.actor_owner_id, a.detail, c.serial, o.display_name AS actor_name
            FROM audit_log a
            JOIN credentials c ON c.id = a.credential_id
            LEFT JOIN owners o ON o.id = a.actor_owner_id
            WHERE a.seq < ?
              AND (a.actor_owner_id = ? OR a.owner_id = ?
                   OR (a.owner_id IS NULL AND EXISTS (SELECT 1 FROM ownership h WHERE h.credential_id = a.credential_id AND h.owner_id = ?)))
            ORDER BY a.seq DESC LIMIT ?`,
      args: [page.before ?? Number.MAX_SAFE_INTEGER, ownerId, ownerId, ownerId, page.limit],
    })
  ).rows;
  return rows.map((row) => ({
    seq: Number(row.seq),
    at: new Date(Number(row.at)).toISOString(),
    action: String(row.action) as AuditAction,
    credentialId: String(row.credential_id),
    serial: String(row.serial),
    actor:
      row.actor === "device"
        ? { kind: "device" as const }
        : { kind: "owner" as const, displayName: String(row.actor_name), you: String(row.actor_owner_id) === ownerId },
    detail: JSON.parse(String(row.detail)) as Record<string, unknown>,
  }));
}
