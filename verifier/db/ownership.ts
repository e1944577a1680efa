import type { Client, Row } from "@libsql/client";

type Executor = Pick<Client, "execute">;

const iso = (ms: unknown): string | null => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());

/** Whose camera it was at a moment: the ownership interval [from_at, to_at) that holds it. */
export async function ownerAt(db: Executor, credentialId: string, at: number): Promise<{ ownerId: string; displayName: string } | null> {
  const row = (
    await db.execute({
      sql: `SELECT h.owner_id, o.display_name FROM ownership h JOIN owners o ON o.id = h.owner_id
            WHERE h.credential_id = ? AND h.from_at <= ? AND (h.to_at IS NULL OR ? < h.to_at)`,
      args: [credentialId, at, at],
    })
  ).rows[0];
  return row ? { ownerId: String(row.owner_id), displayName: String(row.display_name) } : null;
}

export type LifecycleStatus = "valid" | "pending_approval" | "refused" | "revoked" | "stolen";

/** A credential's standing in the device lifecycle, as public routes and the camera itself see it. */
export interface CredentialLifecycle {
  status: LifecycleStatus;
  owner: { displayName: string } | null;
  revokedAt: string | null;
  reportedStolenAt: string | null;
  /** The credential this one re-registers (after a factory reset), and what its owner decided. */
  reregistration: { previousCredentialId: string; decision: "pending" | "approved" | "refused" } | null;
}

export async function credentialLifecycle(db: Executor, credentialId: string): Promise<CredentialLifecycle> {
  const row = (
    await db.execute({
      sql: `SELECT c.revoked_at, t.reported_at AS stolen_at, r.previous_credential_id, r.decision, o.display_name
            FROM credentials c
            LEFT JOIN theft_reports t ON t.credential_id = c.id
            LEFT JOIN reregistrations r ON r.credential_id = c.id
            LEFT JOIN ownership h ON h.credential_id = c.id AND h.to_at IS NULL
            LEFT JOIN owners o ON o.id = h.owner_id
            WHERE c.id = ?`,
      args: [credentialId],
    })
  ).rows[0];
  if (!row) throw new Error(`credential ${credentialId} vanished`);
  const decision = row.previous_credential_id === null ? null : row.decision === null ? "pending" : (String(row.decision) as "approved" | "refused");
  return {
    status: statusOf(row, decision),
    owner: row.display_name === null ? null : { displayName: String(row.display_name) },
    revokedAt: iso(row.revoked_at),
    reportedStolenAt: iso(row.stolen_at),
    reregistration: decision === null ? null : { previousCredentialId: String(row.previous_credential_id), decision },
  };
}

/** What the public answers (check, capture, credential status) say about who took a capture and how its camera stands. */
export interface Attribution {
  /** The owner when the capture was sealed: null when the camera had none then, or when the record's signature did not verify. */
  owner: { displayName: string } | null;
  status: LifecycleStatus;
  revocation: { revokedAt: string; reportedStolenAt: string | null; sealedBeforeRevocation: boolean } | null;
}

export async function attributionOf(
  db: Executor,
  credentialId: string,
  capture: { capturedAt: number; signatureVerified: boolean; sealedBeforeRevocation: boolean },
): Promise<Attribution> {
  const lifecycle = await credentialLifecycle(db, credentialId);
  const owner = capture.signatureVerified ? await ownerAt(db, credentialId, capture.capturedAt) : null;
  return {
    owner: owner && { displayName: owner.displayName },
    status: lifecycle.status,
    revocation:
      lifecycle.revokedAt === null
        ? null
        : { revokedAt: lifecycle.revokedAt, reportedStolenAt: lifecycle.reportedStolenAt, sealedBeforeRevocation: capture.sealedBeforeRevocation },
  };
}

function statusOf(row: Row, decision: "pending" | "approved" | "refused" | null): LifecycleStatus {
  if (decision === "pending") return "pending_approval";
  if (decision === "refused") return "refused";
  if (row.stolen_at !== null) return "stolen";
  if (row.revoked_at !== null) return "revoked";
  return "valid";
}

/** A camera as its owner sees it in the dashboard. */
export interface OwnedDevice {
  id: string;
  serial: string;
  model: string | null;
  name: string | null;
  status: "owned" | "pending_approval" | "revoked" | "stolen";
  flagged: boolean;
  flagReason: string | null;
  registeredAt: string;
  ownedSince: string | null;
  revokedAt: string | null;
  reportedStolenAt: string | null;
  lastCounter: number;
  captureCount: number;
  lastCapturedAt: string | null;
  /** After a factory reset: the credential this one replaces, or the one that replaced it. */
  replaces: string | null;
  replacedBy: string | null;
}

/**
 * The devices an owner may see: those they own now, and re-registrations
 * waiting for their approval (they own the credential being replaced).
 * Anyone else's device is simply absent, so existence never leaks.
 */
export async function visibleDevices(db: Executor, ownerId: string, credentialId?: string): Promise<OwnedDevice[]> {
  const rows = (
    await db.execute({
      sql: `SELECT c.id, c.serial, c.model, c.registered_at, c.revoked_at, c.flagged_at, c.flag_reason, c.last_counter,
              h.name, h.from_at AS owned_since, t.reported_at AS stolen_at, r.previous_credential_id, r.decision,
              (SELECT n.credential_id FROM reregistrations n WHERE n.previous_credential_id = c.id AND n.decision = 'approved'
                 ORDER BY n.decided_at DESC LIMIT 1) AS replaced_by,
              (SELECT COUNT(*) FROM captures k WHERE k.credential_id = c.id) AS capture_count,
              (SELECT MAX(k.captured_at) FROM captures k WHERE k.credential_id = c.id) AS last_captured_at
            FROM credentials c
            LEFT JOIN ownership h ON h.credential_id = c.id AND h.to_at IS NULL
            LEFT JOIN theft_reports t ON t.credential_id = c.id
            LEFT JOIN reregistrations r ON r.credential_id = c.id
            WHERE (h.owner_id = ?1
                   OR (r.credential_id IS NOT NULL AND r.decision IS NULL AND EXISTS (
                         SELECT 1 FROM ownership p WHERE p.credential_id = r.previous_credential_id AND p.owner_id = ?1 AND p.to_at IS NULL)))
              AND (?2 IS NULL OR c.id = ?2)
            ORDER BY c.registered_at DESC, c.id`,
      args: [ownerId, credentialId ?? null],
    })
  ).rows;
  return rows.map((row) => ({
    id: String(row.id),
    serial: String(row.serial),
    model: row.model === null ? null : String(row.model),
    name: row.name === null ? null : String(row.name),
    status: row.owned_since === null ? "pending_approval" : row.stolen_at !== null ? "stolen" : row.revoked_at !== null ? "revoked" : "owned",
    flagged: row.flagged_at !== null,
    flagReason: row.flag_reason === null ? null : String(row.flag_reason),
    registeredAt: iso(row.registered_at)!,
    ownedSince: iso(row.owned_since),
    revokedAt: iso(row.revoked_at),
    reportedStolenAt: iso(row.stolen_at),
    lastCounter: Number(row.last_counter),
    captureCount: Number(row.capture_count),
    lastCapturedAt: iso(row.last_captured_at),
    replaces: row.previous_credential_id === null ? null : String(row.previous_credential_id),
    replacedBy: row.replaced_by === null ? null : String(row.replaced_by),
  }));
}

export async function visibleDevice(db: Executor, ownerId: string, credentialId: string): Promise<OwnedDevice | null> {
  return (await visibleDevices(db, ownerId, credentialId))[0] ?? null;
}

export interface DeviceCapture {
  id: string;
  capturedAt: string;
  receivedAt: string;
  counter: number;
  chainGap: boolean;
  source: string;
  /** The size of its thumbnail (GET …/captures/:captureId/thumbnail), or null when none could be made. */
  thumbnail: { width: number; height: number } | null;
}

/** A device's recorded captures, newest (highest counter) first, a page at a time. */
export async function deviceCaptures(db: Executor, credentialId: string, page: { beforeCounter?: number; limit: number }): Promise<DeviceCapture[]> {
  const rows = (
    await db.execute({
      sql: `SELECT c.id, c.captured_at, c.received_at, c.counter, c.chain_gap, c.source, t.width AS thumbnail_width, t.height AS thumbnail_height
            FROM captures c LEFT JOIN capture_thumbnails t ON t.capture_id = c.id
            WHERE c.credential_id = ? AND c.counter < ? ORDER BY c.counter DESC LIMIT ?`,
      args: [credentialId, page.beforeCounter ?? Number.MAX_SAFE_INTEGER, page.limit],
    })
  ).rows;
  return rows.map((row) => ({
    id: String(row.id),
    capturedAt: iso(row.captured_at)!,
    receivedAt: iso(row.received_at)!,
    counter: Number(row.counter),
    chainGap: Number(row.chain_gap) === 1,
    source: String(row.source),
    thumbnail: row.thumbnail_width === null ? null : { width: Number(row.thumbnail_width), height: Number(row.thumbnail_height) },
  }));
}
