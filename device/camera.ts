import { existsSync } from "node:fs";
import { readdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Client } from "@libsql/client";
import "../edge/node-sha256.ts";
import type { TimeAnchorToken } from "../src/record/payload.ts";
import { SoftAuthenticator } from "./authenticator/soft-authenticator.ts";
import { type CameraPaths, cameraPaths, openCameraDb } from "./camera-db.ts";
import { type BootedFirmware, bootFirmware } from "./firmware/slots.ts";

export interface Camera {
  db: Client;
  authenticator: SoftAuthenticator;
  paths: CameraPaths;
  /** What this start of the camera booted (device/firmware/slots.ts); captures name its version. */
  firmware: BootedFirmware;
}

export interface ActiveCredential {
  credentialId: Uint8Array;
  rpId: string;
  origin: string;
  verifierUrl: string;
  lastRecordHash: Uint8Array;
  signCount: number;
}

export async function openCamera(dir: string): Promise<Camera> {
  // Checked first, so a mistyped --dir names the problem instead of leaving an empty camera behind.
  if (!existsSync(cameraPaths(dir).database)) throw new Error(`${dir} holds no camera: run \`snapseal device manufacture\` first`);
  const db = await openCameraDb(dir);
  const authenticator = await SoftAuthenticator.open(db);
  const camera = { db, authenticator, paths: cameraPaths(dir), firmware: await bootFirmware(db, dir, authenticator.identity.firmware) };
  await removeUncommittedCaptures(camera);
  return camera;
}

/**
 * A crash between writing a sealed file and committing its queue entry leaves a
 * file whose counter was never committed; it must never be synced, so it goes.
 * The sweep holds the write lock, so a capture in flight in another process has
 * either committed its file or not written it yet.
 */
async function removeUncommittedCaptures(camera: Camera): Promise<void> {
  const tx = await camera.db.transaction("write");
  try {
    const queued = new Set((await tx.execute("SELECT file FROM queue")).rows.map((row) => String(row.file)));
    for (const name of await readdir(camera.paths.captures)) {
      if (!queued.has(name)) await unlink(join(camera.paths.captures, name));
    }
    await tx.commit();
  } finally {
    tx.close();
  }
}

/** The credential captures are sealed with: the most recently registered one. */
export async function activeCredential(db: Pick<Client, "execute">): Promise<ActiveCredential | null> {
  const row = (
    await db.execute(
      `SELECT credential_id, rp_id, origin, verifier_url, last_record_hash, sign_count FROM credentials
       WHERE registered_at IS NOT NULL ORDER BY registered_at DESC, rowid DESC LIMIT 1`,
    )
  ).rows[0];
  if (!row) return null;
  return {
    credentialId: new Uint8Array(row.credential_id as ArrayBuffer),
    rpId: String(row.rp_id),
    origin: String(row.origin),
    verifierUrl: String(row.verifier_url),
    lastRecordHash: new Uint8Array(row.last_record_hash as ArrayBuffer),
    signCount: Number(row.sign_count),
  };
}

export async function latestTimeAnchor(db: Pick<Client, "execute">): Promise<TimeAnchorToken | undefined> {
  const row = (await db.execute("SELECT t, kid, sig FROM time_anchor WHERE id = 1")).rows[0];
  if (!row) return undefined;
  return { t: Number(row.t), kid: new Uint8Array(row.kid as ArrayBuffer), sig: new Uint8Array(row.sig as ArrayBuffer) };
}

/** Keeps the newest anchor only: a later server time is a tighter bound. */
export async function storeTimeAnchor(db: Client, anchor: TimeAnchorToken): Promise<void> {
  await db.execute({
    sql: `INSERT INTO time_anchor (id, t, kid, sig) VALUES (1, ?, ?, ?)
          ON CONFLICT (id) DO UPDATE SET t = excluded.t, kid = excluded.kid, sig = excluded.sig WHERE excluded.t > time_anchor.t`,
    args: [anchor.t, anchor.kid, anchor.sig],
  });
}
