import type { Client } from "@libsql/client";
import { toBase64Url, toHex } from "../../src/bytes.ts";
import { captureIdFor } from "../../src/record/capture-record.ts";
import { sealedBeforeRevocation } from "../../src/verify/verify-capture.ts";
import { attributionOf } from "./ownership.ts";

type Executor = Pick<Client, "execute">;

/** When a recorded capture was received, or null if it never was. */
export async function receiptTime(db: Executor, recordHash: Uint8Array): Promise<number | null> {
  const row = (await db.execute({ sql: "SELECT received_at FROM captures WHERE id = ?", args: [captureIdFor(recordHash)] })).rows[0];
  return row ? Number(row.received_at) : null;
}

/**
 * The public receipt of a recorded capture (GET /v1/captures/:id, and beside a
 * credential's status): times, counter, its place in the camera's chain, the
 * owner at capture time, how the camera stands, and the signed record itself.
 */
export async function recordedCapture(db: Executor, id: string) {
  const row = (
    await db.execute({
      sql: `SELECT c.*, cr.revoked_at, cr.flagged_at, cr.flag_reason, n.id AS next_id, n.chain_gap AS next_gap,
              (SELECT id FROM captures p WHERE p.credential_id = c.credential_id AND p.counter < c.counter ORDER BY p.counter DESC LIMIT 1) AS previous_id,
              (SELECT COUNT(*) FROM captures q WHERE q.credential_id = c.credential_id AND q.counter <= c.counter) AS position
            FROM captures c JOIN credentials cr ON cr.id = c.credential_id
            LEFT JOIN captures n ON n.id = (SELECT id FROM captures WHERE credential_id = c.credential_id AND counter > c.counter ORDER BY counter ASC LIMIT 1)
            WHERE c.id = ?`,
      args: [id],
    })
  ).rows[0];
  if (!row) return null;
  const capturedAt = Number(row.captured_at);
  const revokedAt = row.revoked_at === null ? null : Number(row.revoked_at);
  // Recorded means its signature verified at sync; the owner named is the one at capture time.
  const attribution = await attributionOf(db, String(row.credential_id), {
    capturedAt,
    signatureVerified: true,
    sealedBeforeRevocation: revokedAt !== null && sealedBeforeRevocation(capturedAt, Number(row.received_at), revokedAt),
  });
  return {
    id: String(row.id),
    credentialId: String(row.credential_id),
    source: String(row.source),
    capturedAt: new Date(Number(row.captured_at)).toISOString(),
    receivedAt: new Date(Number(row.received_at)).toISOString(),
    anchoredAfter: row.anchor_t === null ? null : new Date(Number(row.anchor_t)).toISOString(),
    counter: Number(row.counter),
    chain: {
      position: Number(row.position),
      gapBefore: Number(row.chain_gap) === 1,
      // Whether the next recorded capture links back to this one; null while this is the camera's latest.
      gapAfter: row.next_gap === null ? null : Number(row.next_gap) === 1,
      previousId: row.previous_id === null ? null : String(row.previous_id),
      nextId: row.next_id === null ? null : String(row.next_id),
    },
    device: { serial: String(row.serial), model: String(row.model), firmware: String(row.firmware) },
    image: { width: Number(row.width), height: Number(row.height), contentHash: toHex(new Uint8Array(row.content_hash as ArrayBuffer)) },
    recordHash: toHex(new Uint8Array(row.record_hash as ArrayBuffer)),
    // The signed record itself, so anyone can check its signature without the photo.
    record: toBase64Url(new Uint8Array(row.record as ArrayBuffer)),
    credential: {
      revokedAt: row.revoked_at === null ? null : new Date(Number(row.revoked_at)).toISOString(),
      flagged: row.flagged_at !== null,
      flagReason: row.flag_reason === null ? null : String(row.flag_reason),
      status: attribution.status,
    },
    owner: attribution.owner,
    revocation: attribution.revocation,
  };
}

export type RecordedCaptureAnswer = NonNullable<Awaited<ReturnType<typeof recordedCapture>>>;
