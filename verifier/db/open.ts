import { type Client, createClient } from "@libsql/client";
import { MIGRATIONS } from "./schema.ts";

export function openVerifierDb(url: string, authToken?: string): Promise<Client> {
  return openMigratedDb(url, MIGRATIONS, authToken);
}

/**
 * Opens a service's libSQL database (the verifier's, the co-signer's) and
 * applies its migrations in order, each once (PRAGMA user_version), in one
 * write transaction, so instances starting together migrate it once.
 */
export async function openMigratedDb(url: string, migrations: string[][], authToken?: string): Promise<Client> {
  const db = createClient({ url, ...(authToken ? { authToken } : {}) });
  try {
    if (url.startsWith("file:")) {
      // WAL lets readers run beside the one writer and commits about 4x faster.
      await db.execute("PRAGMA journal_mode = WAL");
      await db.execute("PRAGMA busy_timeout = 10000");
    }
    const tx = await db.transaction("write");
    try {
      const version = Number((await tx.execute("PRAGMA user_version")).rows[0]![0]);
      for (let index = version; index < migrations.length; index++) {
        for (const statement of migrations[index]!) await tx.execute(statement);
        await tx.execute(`PRAGMA user_version = ${index + 1}`);
      }
      await tx.commit();
    } finally {
      tx.close();
    }
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
