import type { Client } from "@libsql/client";

/**
 * One `device update` at a time per camera. Two at once would both write the
 * inactive slot, each verifying its own bytes and then switching to a slot the
 * other may be rewriting. An update claims the camera's single
 * firmware_update_lock row in a write transaction (so two claims serialize in
 * the database and one wins) and deletes it when it ends, however it ends.
 *
 * A claim names the updater's pid. An updater killed mid-way (SIGKILL, power
 * cut) cannot delete its row, so a claim whose process no longer exists is
 * stale and the next update takes it over: the dead updater left nothing boot
 * trusts without verifying it again (slots.ts), and the new one starts by
 * forgetting the slot it writes.
 */
export interface UpdateClaim {
  pid: number;
  startedAt: number;
}

export class FirmwareUpdateInProgressError extends Error {
  override readonly name = "FirmwareUpdateInProgressError";
  constructor(readonly holder: UpdateClaim) {
    super(`another firmware update is in progress on this camera (pid ${holder.pid}, since ${new Date(holder.startedAt).toISOString()}): wait for it to finish`);
  }
}

export async function claimUpdateLock(db: Client, now: number): Promise<UpdateClaim> {
  const claim = { pid: process.pid, startedAt: now };
  const tx = await db.transaction("write");
  try {
    const row = (await tx.execute("SELECT pid, started_at FROM firmware_update_lock WHERE id = 1")).rows[0];
    if (row) {
      const holder = { pid: Number(row.pid), startedAt: Number(row.started_at) };
      if (isRunning(holder.pid)) throw new FirmwareUpdateInProgressError(holder);
      await tx.execute("DELETE FROM firmware_update_lock WHERE id = 1");
    }
    await tx.execute({ sql: "INSERT INTO firmware_update_lock (id, pid, started_at) VALUES (1, ?, ?)", args: [claim.pid, claim.startedAt] });
    await tx.commit();
  } finally {
    tx.close();
  }
  return claim;
}

/** Deletes this updater's claim, and no other. */
export async function releaseUpdateLock(db: Client, claim: UpdateClaim): Promise<void> {
  await db.execute({ sql: "DELETE FROM firmware_update_lock WHERE id = 1 AND pid = ? AND started_at = ?", args: [claim.pid, claim.startedAt] });
}

/** Signal 0 checks that a process exists; EPERM means it does, under another user. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}
