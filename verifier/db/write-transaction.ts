import type { Client, Transaction } from "@libsql/client";

/** Runs `work` in one write transaction: committed when it returns, rolled back when it throws. */
export async function inWriteTransaction<T>(db: Client, work: (tx: Transaction) => Promise<T>): Promise<T> {
  const tx = await db.transaction("write");
  try {
    const result = await work(tx);
    await tx.commit();
    return result;
  } finally {
    tx.close();
  }
}
