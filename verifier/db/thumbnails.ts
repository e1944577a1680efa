import type { Client } from "@libsql/client";
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

/** A capture's thumbnail, if the capture was recorded for this credential and one was made. */
export async function thumbnailOf(db: Pick<Client, "execute">, credentialId: string, captureId: string): Promise<Thumbnail | null> {
  const row = (
    await db.execute({
      sql: `SELECT t.jpeg, t.width, t.height FROM capture_thumbnails t JOIN captures c ON c.id = t.capture_id
            WHERE t.capture_id = ? AND c.credential_id = ?`,
      args: [captureId, credentialId],
    })
  ).rows[0];
  if (!row) return null;
  return { jpeg: new Uint8Array(row.jpeg as ArrayBuffer), width: Number(row.width), height: Number(row.height) };
}
