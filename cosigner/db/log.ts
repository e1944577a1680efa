import type { Client, Transaction } from "@libsql/client";
import { toHex } from "../../src/bytes.ts";

type Executor = Pick<Client | Transaction, "execute">;

/** What is known of a co-signing request when it is granted or refused. */
export interface CosignAttempt {
  /** The client address, as the runtime reports the connection's peer. */
  address?: string;
  operator?: string;
  releaseKid?: string;
  manifestSha256?: Uint8Array;
  model?: string;
  version?: string;
}

export type LogEntry = CosignAttempt & ({ outcome: "granted"; signature: Uint8Array } | { outcome: "refused"; reason: string });

export async function appendLog(db: Executor, entry: LogEntry, now: number): Promise<void> {
  await db.execute({
    sql: `INSERT INTO cosign_log (at, outcome, reason, address, operator, release_kid, manifest_sha256, model, version, signature)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      now,
      entry.outcome,
      entry.outcome === "refused" ? entry.reason : null,
      entry.address ?? null,
      entry.operator ?? null,
      entry.releaseKid ?? null,
      entry.manifestSha256 ?? null,
      entry.model ?? null,
      entry.version ?? null,
      entry.outcome === "granted" ? entry.signature : null,
    ],
  });
}

export interface LogRow {
  seq: number;
  at: number;
  outcome: "granted" | "refused";
  reason: string | null;
  address: string | null;
  operator: string | null;
  releaseKid: string | null;
  manifestSha256: string | null;
  model: string | null;
  version: string | null;
}

export async function readLog(db: Executor): Promise<LogRow[]> {
  const rows = (await db.execute("SELECT seq, at, outcome, reason, address, operator, release_kid, manifest_sha256, model, version FROM cosign_log ORDER BY seq")).rows;
  return rows.map((row) => ({
    seq: Number(row.seq),
    at: Number(row.at),
    outcome: String(row.outcome) as LogRow["outcome"],
    reason: row.reason === null ? null : String(row.reason),
    address: row.address === null ? null : String(row.address),
    operator: row.operator === null ? null : String(row.operator),
    releaseKid: row.release_kid === null ? null : String(row.release_kid),
    manifestSha256: row.manifest_sha256 === null ? null : toHex(new Uint8Array(row.manifest_sha256 as ArrayBuffer)),
    model: row.model === null ? null : String(row.model),
    version: row.version === null ? null : String(row.version),
  }));
}
