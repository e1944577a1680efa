import type { Client } from "@libsql/client";
import { toBase64Url } from "../../src/bytes.ts";
import { sha256 } from "../../src/crypto/sha256.ts";
import type { Thumbnail } from "../services.ts";

/**
 * Migration 4: the owner dashboard's thumbnails. The verifier keeps records,
 * not photos, so a capture's thumbnail is made from the photo it was synced
 * with and stored beside its record, once; it never changes afterwards.
 */
export const THUMBNAIL_TABLES: string[] = [
  `CREATE TABLE capture_thumbnails (
     capture_id TEXT PRIMARY KEY REFERENCES captures (id),
     jpeg BLOB NOT NULL,
     width INTEGER NOT NULL,
     height INTEGER NOT NULL)`,
];

/** Stores a recorded capture's thumbnail; a capture that has one keeps it. */
export async function storeThumbnail(db: Pick<Client, "execute">, captureId: string, thumbnail: Thumbnail): Promise<void> {
  await db.execute({
    sql: "INSERT INTO capture_thumbnails (capture_id, jpeg, width, height) VALUES (?, ?, ?, ?) ON CONFLICT (capture_id) DO NOTHING",
    args: [captureId, thumbnail.jpeg, thumbnail.width, thumbnail.height],
  });
}

/** A capture's thumbnail, if the capture was recorded for this credential and one was made; the ETag is its content's hash. */
export async function thumbnailOf(db: Pick<Client, "execute">, credentialId: string, captureId: string): Promise<(Thumbnail & { etag: string }) | null> {
  const row = (
    await db.execute({
      sql: `SELECT t.jpeg, t.width, t.height FROM capture_thumbnails t JOIN captures c ON c.id = t.capture_id
            WHERE t.capture_id = ? AND c.credential_id = ?`,
      args: [captureId, credentialId],
    })
  ).rows[0];
  if (!row) return null;
  const jpeg = new Uint8Array(row.jpeg as ArrayBuffer);
  return { jpeg, width: Number(row.width), height: Number(row.height), etag: `"${toBase64Url((await sha256(jpeg)).subarray(0, 12))}"` };
}
