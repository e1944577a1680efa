import { open, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { toHex } from "../src/bytes.ts";
import type { CaptureSource } from "../src/record/payload.ts";
import { type SealedCapture, sealJpeg } from "../src/record/seal-record.ts";
import { type Camera, activeCredential, latestTimeAnchor } from "./camera.ts";

export interface CaptureInput {
  jpeg: Uint8Array;
  fingerprint: Uint8Array;
  source: CaptureSource;
  /** The camera clock; tests and demos may set it. */
  capturedAt?: number;
  /** See SealOptions.nonce. */
  nonce?: Uint8Array;
}

export interface QueuedCapture {
  seq: number;
  file: string;
  sealed: SealedCapture;
}

export class NotRegisteredError extends Error {
  override readonly name = "NotRegisteredError";
  constructor() {
    super("this camera has no registered credential yet: run `snapseal device register` while online");
  }
}

/**
 * Seals a picture and queues it, in one camera transaction: the counter step,
 * the chain link to the previous record and the queue entry commit together, so
 * a crash anywhere leaves either a complete queued capture or no trace of it.
 */
export async function captureAndQueue(camera: Camera, input: CaptureInput): Promise<QueuedCapture> {
  const tx = await camera.db.transaction("write");
  let path: string | undefined;
  try {
    const credential = await activeCredential(tx);
    if (!credential) throw new NotRegisteredError();
    const anchor = await latestTimeAnchor(tx);
    const { serial, model } = camera.authenticator.identity;
    const firmware = camera.firmware.version;
    const sealed = await sealJpeg(input.jpeg, {
      credentialId: credential.credentialId,
      origin: credential.origin,
      assert: (clientDataHashFor) => camera.authenticator.assert(tx, credential.credentialId, clientDataHashFor),
      source: input.source,
      capturedAt: input.capturedAt ?? Date.now(),
      prev: credential.lastRecordHash,
      fingerprint: input.fingerprint,
      ...(anchor ? { anchor } : {}),
      meta: { serial, model, firmware },
      ...(input.nonce ? { nonce: input.nonce } : {}),
    });
    const file = `${String(sealed.payload.counter).padStart(8, "0")}-${toHex(sealed.recordHash.subarray(0, 4))}.jpg`;
    path = join(camera.paths.captures, file);
    await writeParts(`${path}.partial`, sealed.parts);
    await rename(`${path}.partial`, path);
    const row = (
      await tx.execute({
        sql: `INSERT INTO queue (file, credential_id, record_hash, counter, captured_at, source) VALUES (?, ?, ?, ?, ?, ?) RETURNING seq`,
        args: [file, credential.credentialId, sealed.recordHash, sealed.payload.counter, sealed.payload.capturedAt, sealed.payload.source],
      })
    ).rows[0]!;
    await tx.execute({
      sql: "UPDATE credentials SET last_record_hash = ? WHERE credential_id = ?",
      args: [sealed.recordHash, credential.credentialId],
    });
    await tx.commit();
    return { seq: Number(row.seq), file: path, sealed };
  } catch (error) {
    if (path) await unlink(path).catch(() => {});
    throw error;
  } finally {
    tx.close();
  }
}

/** One vectored write of the sealed file's pieces: the image data is never copied. */
async function writeParts(path: string, parts: readonly Uint8Array[]): Promise<void> {
  const file = await open(path, "w");
  try {
    let pending = [...parts];
    while (pending.length > 0) {
      let { bytesWritten } = await file.writev(pending);
      // writev may write less than asked; carry on from where it stopped.
      while (pending.length > 0 && bytesWritten >= pending[0]!.length) bytesWritten -= pending.shift()!.length;
      if (bytesWritten > 0) pending[0] = pending[0]!.subarray(bytesWritten);
    }
  } finally {
    await file.close();
  }
}
