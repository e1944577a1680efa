import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { CAPTURE_BATCH_MEDIA_TYPE, type CaptureBatchResult, encodeCaptureBatch } from "../src/record/capture-batch.ts";
import { type TimeAnchorJson, anchorFromJson } from "../src/record/time-anchor.ts";
import { type Camera, activeCredential, storeTimeAnchor } from "./camera.ts";
import { makeDurable } from "./camera-db.ts";
import { callVerifier } from "../src/http/verifier-client.ts";

export interface SyncReport {
  recorded: number;
  alreadyRecorded: number;
  rejected: { seq: number; code: string; message: string }[];
  chainGaps: number;
  batches: number;
}

export interface SyncOptions {
  batchSize?: number;
  /** Overrides the verifier the credential was registered with. */
  verifierUrl?: string;
}

/**
 * Sends the offline queue in capture order, in batches. A photo is marked
 * synced only when the verifier's answer for it arrives; a dropped connection
 * leaves the batch pending and the retry is answered "already recorded", so
 * nothing is lost and nothing is counted twice.
 */
export async function syncQueue(camera: Camera, options: SyncOptions = {}): Promise<SyncReport> {
  const credential = await activeCredential(camera.db);
  if (!credential) throw new Error("this camera is not registered");
  const url = `${(options.verifierUrl ?? credential.verifierUrl).replace(/\/+$/, "")}/v1/captures`;
  const batchSize = options.batchSize ?? 10;
  const report: SyncReport = { recorded: 0, alreadyRecorded: 0, rejected: [], chainGaps: 0, batches: 0 };
  // Counters and chain links must be on disk before any of them leaves the camera.
  await makeDurable(camera.db);
  let afterSeq = 0;
  for (;;) {
    const pending = (
      await camera.db.execute({ sql: "SELECT seq, file FROM queue WHERE state = 'pending' AND seq > ? ORDER BY seq LIMIT ?", args: [afterSeq, batchSize] })
    ).rows.map((row) => ({ seq: Number(row.seq), file: String(row.file) }));
    if (pending.length === 0) return report;
    const photos = await Promise.all(pending.map((item) => readFile(join(camera.paths.captures, item.file))));
    const answer = await callVerifier<{ results: CaptureBatchResult[]; anchor: TimeAnchorJson }>(url, {
      method: "POST",
      headers: { "content-type": CAPTURE_BATCH_MEDIA_TYPE },
      body: encodeCaptureBatch(photos) as Uint8Array<ArrayBuffer>,
    });
    if (!Array.isArray(answer.results) || answer.results.length !== pending.length) throw new Error("verifier answered a different number of results");
    report.batches++;
    const settledAt = Date.now();
    const statements = pending.map((item, index) => {
      const result = answer.results[index]!;
      if (result.status === "rejected") {
        report.rejected.push({ seq: item.seq, code: result.code, message: result.message });
        return { sql: "UPDATE queue SET state = 'rejected', error_code = ?, settled_at = ? WHERE seq = ?", args: [result.code, settledAt, item.seq] };
      }
      if (result.status === "recorded") {
        report.recorded++;
        if (result.chainGap) report.chainGaps++;
      } else {
        report.alreadyRecorded++;
      }
      const chainGap = result.status === "recorded" && result.chainGap ? 1 : 0;
      return {
        sql: "UPDATE queue SET state = 'synced', capture_id = ?, chain_gap = ?, settled_at = ? WHERE seq = ?",
        args: [result.captureId, chainGap, settledAt, item.seq],
      };
    });
    await camera.db.batch(statements, "write");
    await storeTimeAnchor(camera.db, anchorFromJson(answer.anchor));
    afterSeq = pending[pending.length - 1]!.seq;
  }
}
