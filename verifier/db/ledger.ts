import type { Client, Transaction } from "@libsql/client";
import { bytesEqual } from "../../src/bytes.ts";
import { captureIdFor } from "../../src/record/capture-record.ts";
import { ProvenanceError } from "../../src/errors.ts";
import type { CapturePayload } from "../../src/record/payload.ts";

/** A capture that passed verification steps 1-6 and now meets shared state. */
export interface VerifiedForLedger {
  credentialId: string;
  recordHash: Uint8Array;
  encodedRecord: Uint8Array;
  payload: CapturePayload;
}

export type LedgerOutcome =
  | { status: "recorded"; captureId: string; chainGap: boolean }
  | { status: "already_recorded"; captureId: string }
  | { status: "rejected"; error: ProvenanceError };

/**
 * Steps 7 and 8 of the verification order, for a batch, in one write
 * transaction: replay (a nonce is accepted once; the identical record is
 * answered idempotently), then the counter (strictly increasing, else the
 * credential is flagged as possibly cloned) and the `prev` chain (a link that
 * does not name the last accepted record is recorded as a gap). The UNIQUE
 * constraints on nonce, record and (credential, counter) back every rule, and
 * each credential's new head is written with a compare-and-set on the head read
 * at the start, so two instances racing on one record accept it exactly once.
 */
export async function recordCaptures(db: Client, captures: VerifiedForLedger[], receivedAt: number): Promise<LedgerOutcome[]> {
  const tx = await db.transaction("write");
  try {
    const heads = new Map<string, ChainHead>();
    const outcomes: LedgerOutcome[] = [];
    for (const capture of captures) {
      let head = heads.get(capture.credentialId);
      if (!head) heads.set(capture.credentialId, (head = await readHead(tx, capture.credentialId)));
      outcomes.push(await recordOne(tx, capture, head, receivedAt));
    }
    for (const [credentialId, head] of heads) await advanceHead(tx, credentialId, head);
    await tx.commit();
    return outcomes;
  } finally {
    tx.close();
  }
}

/** A credential's last accepted counter and record hash: as read, and as this batch moves them. */
interface ChainHead {
  readCounter: number;
  counter: number;
  recordHash: Uint8Array;
}

async function readHead(tx: Transaction, credentialId: string): Promise<ChainHead> {
  const row = (await tx.execute({ sql: "SELECT last_counter, last_record_hash FROM credentials WHERE id = ?", args: [credentialId] })).rows[0]!;
  const counter = Number(row.last_counter);
  return { readCounter: counter, counter, recordHash: new Uint8Array(row.last_record_hash as ArrayBuffer) };
}

async function advanceHead(tx: Transaction, credentialId: string, head: ChainHead): Promise<void> {
  if (head.counter === head.readCounter) return;
  const advanced = await tx.execute({
    sql: "UPDATE credentials SET last_counter = ?, last_record_hash = ? WHERE id = ? AND last_counter = ?",
    args: [head.counter, head.recordHash, credentialId, head.readCounter],
  });
  // Unreachable while the transaction holds the write lock; if it ever is not,
  // failing the whole batch is the safe answer (the camera retries it).
  if (advanced.rowsAffected !== 1) throw new Error("credential counter moved during the transaction");
}

async function recordOne(tx: Transaction, capture: VerifiedForLedger, head: ChainHead, receivedAt: number): Promise<LedgerOutcome> {
  const { payload } = capture;
  const captureId = captureIdFor(capture.recordHash);

  // Step 7: replay.
  const seen = (await tx.execute({ sql: "SELECT id, record_hash FROM captures WHERE nonce = ?", args: [payload.nonce] })).rows[0];
  if (seen) {
    if (bytesEqual(new Uint8Array(seen.record_hash as ArrayBuffer), capture.recordHash)) {
      return { status: "already_recorded", captureId: String(seen.id) };
    }
    return { status: "rejected", error: new ProvenanceError("nonce_replayed") };
  }

  // Step 8: counter, then chain.
  if (payload.counter <= head.counter) {
    const reason = `counter ${payload.counter} after ${head.counter}`;
    await tx.execute({
      sql: "UPDATE credentials SET flagged_at = COALESCE(flagged_at, ?), flag_reason = COALESCE(flag_reason, ?) WHERE id = ?",
      args: [receivedAt, reason, capture.credentialId],
    });
    return { status: "rejected", error: new ProvenanceError("counter_regression", reason) };
  }
  const chainGap = !bytesEqual(payload.prev, head.recordHash);

  await tx.execute({
    sql: `INSERT INTO captures (id, credential_id, record_hash, nonce, counter, prev, chain_gap, content_hash, captured_at, received_at,
            source, model, firmware, serial, width, height, anchor_t, record)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      captureId,
      capture.credentialId,
      capture.recordHash,
      payload.nonce,
      payload.counter,
      payload.prev,
      chainGap ? 1 : 0,
      payload.contentHash,
      payload.capturedAt,
      receivedAt,
      payload.source,
      payload.meta.model,
      payload.meta.firmware,
      payload.meta.serial,
      payload.meta.width,
      payload.meta.height,
      payload.anchor?.t ?? null,
      capture.encodedRecord,
    ],
  });
  head.counter = payload.counter;
  head.recordHash = capture.recordHash;
  return { status: "recorded", captureId, chainGap };
}
