import { type Client, createClient } from "@libsql/client";
import { migrate } from "./schema.ts";

export async function openVerifierDb(url: string, authToken?: string): Promise<Client> {
  const db = createClient({ url, ...(authToken ? { authToken } : {}) });
  if (url.startsWith("file:")) {
    // WAL lets readers run beside the one writer and commits about 4x faster.
    await db.execute("PRAGMA journal_mode = WAL");
    await db.execute("PRAGMA busy_timeout = 10000");
  }
  await migrate(db);
  return db;
}
