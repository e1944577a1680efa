import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Client } from "@libsql/client";
import { isKeyId, firmwareKeyToJson } from "../src/firmware/key-set.ts";
import { type KeyRing, newKeyRingEntry } from "../src/secrets/envelope.ts";
import { keyRingFor } from "../verifier/db/second-factor.ts";
import { acceptReleaseKey, createSigningKey, listReleaseKeys, revokeReleaseKey } from "../cosigner/db/keys.ts";
import { readLog } from "../cosigner/db/log.ts";
import { OPERATOR_NAME, addOperator } from "../cosigner/db/operators.ts";
import { openCosignerDb } from "../cosigner/db/schema.ts";
import { SECRET_KEYS_SETTING } from "../cosigner/start.ts";
import { readPublicKeyFile } from "../device/manufacture/release-key.ts";
import { UsageError, options, required } from "./usage.ts";

/**
 * `snapseal cosigner …`: set up and run the co-signer (docs/firmware.md). Its
 * directory holds cosigner.db and cosigner-key.pub.json (the public key
 * cameras are made with); its secrets are sealed under COSIGNER_SECRET_KEYS.
 */
const DATABASE_FILE = "cosigner.db";
export const COSIGNER_PUBLIC_KEY_FILE = "cosigner-key.pub.json";

const databaseUrl = (dir: string) => `file:${join(dir, DATABASE_FILE)}`;

async function secretKeys(db: Client): Promise<KeyRing> {
  const spec = process.env[SECRET_KEYS_SETTING];
  if (!spec) throw new UsageError(`${SECRET_KEYS_SETTING} is not set; a new co-signer can use, for example, ${SECRET_KEYS_SETTING}=${newKeyRingEntry("k1")} (keep it secret, keep it safe)`);
  return keyRingFor(db, spec, SECRET_KEYS_SETTING, Date.now());
}

async function withDatabase<T>(dir: string, use: (db: Client) => Promise<T>): Promise<T> {
  if (!existsSync(join(dir, DATABASE_FILE))) throw new UsageError(`${dir} holds no co-signer: run \`snapseal cosigner init --dir ${dir}\` first`);
  const db = await openCosignerDb(databaseUrl(dir));
  try {
    return await use(db);
  } finally {
    db.close();
  }
}

export async function cosigner(command: string | undefined, args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  switch (command) {
    case "init": {
      const { values } = options(args, { dir: { type: "string" } });
      const dir = required(values.dir, "dir");
      if (existsSync(join(dir, DATABASE_FILE))) throw new UsageError(`${dir} already holds a co-signer`);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const db = await openCosignerDb(databaseUrl(dir));
      try {
        const key = await createSigningKey(db, await secretKeys(db), Date.now());
        await writeFile(join(dir, COSIGNER_PUBLIC_KEY_FILE), JSON.stringify(firmwareKeyToJson(key), null, 2) + "\n", { flag: "wx" });
        console.log(`co-signer key ${key.kid}; its public key is ${join(dir, COSIGNER_PUBLIC_KEY_FILE)} (for \`firmware trust\`)`);
      } finally {
        db.close();
      }
      return 0;
    }
    case "operator": {
      if (subcommand !== "add") throw new UsageError(`unknown cosigner operator command: ${subcommand ?? "(none)"}`);
      const { values } = options(rest, { dir: { type: "string" }, name: { type: "string" } });
      const name = required(values.name, "name");
      if (!OPERATOR_NAME.test(name)) throw new UsageError("--name must be 1-32 letters, digits, '.', '_' or '-', starting with a letter or digit");
      return withDatabase(required(values.dir, "dir"), async (db) => {
        const enrolment = await addOperator(db, await secretKeys(db), name, Date.now());
        if (!enrolment) throw new UsageError(`operator ${name} exists already`);
        // Shown once: only the sealed form is kept.
        console.log(`operator ${name} added; enter this secret in an authenticator app now, it is not shown again:`);
        console.log(`secret: ${enrolment.base32}`);
        console.log(`uri: ${enrolment.uri}`);
        return 0;
      });
    }
    case "key": {
      const { values } = options(rest, { dir: { type: "string" }, key: { type: "string" }, kid: { type: "string" } });
      const dir = required(values.dir, "dir");
      if (subcommand === "accept") {
        const path = required(values.key, "key");
        let key;
        try {
          key = await readPublicKeyFile(path);
        } catch (error) {
          throw new UsageError(`${path} is not a firmware public key file: ${(error as Error).message}`);
        }
        return withDatabase(dir, async (db) => {
          const outcome = await acceptReleaseKey(db, key, Date.now());
          if (outcome === "revoked") throw new UsageError(`release key ${key.kid} was revoked and cannot be accepted again`);
          console.log(outcome === "accepted" ? `release key ${key.kid} accepted` : `release key ${key.kid} was already accepted`);
          return 0;
        });
      }
      if (subcommand === "revoke") {
        const kid = required(values.kid, "kid");
        if (!isKeyId(kid)) throw new UsageError("--kid must be a 64-character lowercase hex key id");
        return withDatabase(dir, async (db) => {
          if (!(await revokeReleaseKey(db, kid, Date.now()))) throw new UsageError(`no accepted, unrevoked release key ${kid}`);
          console.log(`release key ${kid} revoked: the co-signer refuses to co-sign for it from now on`);
          return 0;
        });
      }
      if (subcommand === "list") {
        return withDatabase(dir, async (db) => {
          for (const key of await listReleaseKeys(db)) {
            console.log(`${key.kid}\taccepted ${new Date(key.acceptedAt).toISOString()}\t${key.revokedAt === null ? "active" : `revoked ${new Date(key.revokedAt).toISOString()}`}`);
          }
          return 0;
        });
      }
      throw new UsageError(`unknown cosigner key command: ${subcommand ?? "(none)"}`);
    }
    case "serve": {
      const { values } = options(args, { dir: { type: "string" }, port: { type: "string" } });
      const dir = required(values.dir, "dir");
      const port = values.port === undefined ? 8788 : Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError("--port must be an integer from 0 to 65535");
      if (!existsSync(join(dir, DATABASE_FILE))) throw new UsageError(`${dir} holds no co-signer: run \`snapseal cosigner init --dir ${dir}\` first`);
      const { serveCosigner } = await import("../cosigner/node.ts");
      const served = await serveCosigner(databaseUrl(dir), process.env[SECRET_KEYS_SETTING], port);
      console.log(`SnapSeal co-signer on ${served.url} (key ${served.services.signingKey.kid})`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await served.stop();
      return 0;
    }
    case "log": {
      const { values } = options(args, { dir: { type: "string" }, json: { type: "boolean" } });
      return withDatabase(required(values.dir, "dir"), async (db) => {
        const rows = await readLog(db);
        if (values.json) {
          console.log(JSON.stringify(rows, null, 2));
          return 0;
        }
        for (const row of rows) {
          const what = row.model ? `${row.model} ${row.version} (manifest ${row.manifestSha256?.slice(0, 16)}…)` : "(no manifest)";
          console.log(`${row.seq}\t${new Date(row.at).toISOString()}\t${row.outcome}${row.reason ? ` ${row.reason}` : ""}\t${row.address ?? "-"}\t${row.operator ?? "-"}\t${what}\trelease key ${row.releaseKid?.slice(0, 16) ?? "-"}`);
        }
        console.log(`${rows.length} requests, ${rows.filter((row) => row.outcome === "granted").length} granted`);
        return 0;
      });
    }
    default:
      throw new UsageError(`unknown cosigner command: ${command ?? "(none)"}`);
  }
}
