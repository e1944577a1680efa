import { mkdir, open, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Client } from "@libsql/client";
import { bytesEqual } from "../../src/bytes.ts";
import { checkImage } from "../../src/firmware/read-image.ts";
import { verifyRelease } from "../../src/firmware/verify-manifest.ts";
import { type Slot, type VerifiedSlot, bootPointer, keySetByVersion, verifiedSlot } from "./firmware-db.ts";

/**
 * The A/B layout: `firmware/slot-a` and `firmware/slot-b` in the camera
 * directory, and the boot pointer in the camera database. An update only ever
 * writes the slot the pointer does not name, so the running image is never
 * touched; boot trusts a slot only after hashing what is on flash again.
 */
export function slotPath(cameraDir: string, slot: Slot): string {
  return join(cameraDir, "firmware", `slot-${slot}`);
}

export function otherSlot(slot: Slot | "factory"): Slot {
  return slot === "a" ? "b" : "a";
}

export interface BootedFirmware {
  slot: Slot | "factory";
  version: string;
  /** Set when the pointer's slot did not verify and boot fell back: why. */
  fallback?: string;
}

/**
 * What the camera runs: the pointer's slot if its image still verifies (its
 * stored release verifies with the key set that accepted it, and the bytes on
 * flash hash to the pointer's hash), else the other slot if it verifies, else
 * the factory firmware. An image is never booted on the database's word alone.
 */
export async function bootFirmware(db: Client, cameraDir: string, factoryVersion: string): Promise<BootedFirmware> {
  const pointer = await bootPointer(db);
  if (!pointer) return { slot: "factory", version: factoryVersion };
  if (pointer.slot === "factory") return { slot: "factory", version: pointer.version };
  let reason: string;
  try {
    const active = await checkSlot(db, cameraDir, pointer.slot);
    if (!pointer.imageSha256 || !bytesEqual(active.imageSha256, pointer.imageSha256)) throw new Error(`slot ${pointer.slot} holds another image than the boot pointer names`);
    return { slot: pointer.slot, version: active.version };
  } catch (error) {
    reason = (error as Error).message;
  }
  try {
    const fallback = await checkSlot(db, cameraDir, otherSlot(pointer.slot));
    return { slot: fallback.slot, version: fallback.version, fallback: reason };
  } catch (error) {
    return { slot: "factory", version: factoryVersion, fallback: `${reason}; ${(error as Error).message}` };
  }
}

/** A slot's image, checked from scratch; throws with the reason it cannot be booted. */
export async function checkSlot(db: Client, cameraDir: string, slot: Slot): Promise<VerifiedSlot> {
  const stored = await verifiedSlot(db, slot);
  if (!stored) throw new Error(`slot ${slot} holds no verified image`);
  const keySet = await keySetByVersion(db, stored.keySetVersion);
  if (!keySet) throw new Error(`slot ${slot} was verified with key set ${stored.keySetVersion}, which the camera no longer holds`);
  const { manifest } = verifyRelease(stored.release, keySet);
  if (!bytesEqual(manifest.imageSha256, stored.imageSha256) || manifest.version !== stored.version) throw new Error(`slot ${slot}'s record disagrees with its signed manifest`);
  let image: Uint8Array;
  try {
    image = new Uint8Array(await readFile(slotPath(cameraDir, slot)));
  } catch (error) {
    throw new Error(`slot ${slot} cannot be read (${(error as Error).message})`);
  }
  try {
    await checkImage(image, manifest);
  } catch (error) {
    throw new Error(`slot ${slot} does not verify on flash (${(error as Error).message})`);
  }
  return stored;
}

/**
 * Writes an image into a slot and flushes it to disk. `halfway` runs once half
 * the image is on disk (the updater's mid-write step).
 */
export async function writeSlot(cameraDir: string, slot: Slot, image: Uint8Array, halfway: () => Promise<void>): Promise<void> {
  await mkdir(join(cameraDir, "firmware"), { recursive: true });
  const file = await open(slotPath(cameraDir, slot), "w");
  try {
    const half = Math.floor(image.length / 2);
    await writeAll(file, image.subarray(0, half));
    await file.sync();
    await halfway();
    await writeAll(file, image.subarray(half));
    await file.sync();
  } finally {
    await file.close();
  }
}

async function writeAll(file: Awaited<ReturnType<typeof open>>, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += (await file.write(bytes, offset, bytes.length - offset)).bytesWritten;
}
