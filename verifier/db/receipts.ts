import type { Client } from "@libsql/client";
import { captureIdFor } from "../../src/record/capture-record.ts";

/** When a recorded capture was received, or null if it never was. */
export async function receiptTime(db: Pick<Client, "execute">, recordHash: Uint8Array): Promise<number | null> {
  const row = (await db.execute({ sql: "SELECT received_at FROM captures WHERE id = ?", args: [captureIdFor(recordHash)] })).rows[0];
  return row ? Number(row.received_at) : null;
}
