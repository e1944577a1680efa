import { readFile } from "node:fs/promises";
import { bytesEqual, fromBase64Url } from "../../src/bytes.ts";
import { ProvenanceError } from "../../src/errors.ts";
import { checkImage, readImage } from "../../src/firmware/read-image.ts";
import { decodeRelease } from "../../src/firmware/release.ts";
import { checkInstallable, verifyRelease } from "../../src/firmware/verify-manifest.ts";
import { type Camera, latestTimeAnchor } from "../camera.ts";
import { makeDurable } from "../camera-db.ts";
import { VerifierHttpError, VerifierUnreachableError, callVerifier } from "../../src/http/verifier-client.ts";
import { acceptKeySet, bootPointer, currentKeySet, forgetSlot, recordVerifiedSlot, switchBootPointer } from "./firmware-db.ts";
import { otherSlot, slotPath, writeSlot } from "./slots.ts";
import { claimUpdateLock, releaseUpdateLock } from "./update-lock.ts";

/**
 * `snapseal device update`: fetch the verifier's release for this model,
 * verify it (src/firmware/verify-manifest.ts), download the image against the
 * signed size and hash, then install A/B:
 *
 *   download ─► forget the inactive slot ─► write it ─► read it back and verify
 *   ─► record it verified ─► switch the boot pointer (one commit, made durable)
 *
 * A crash before the switch leaves the pointer on the old, verified image; a
 * crash after it leaves the new one, verified before the pointer moved. The
 * steps are named so a test can stop the process at each (see onStep). The
 * whole update runs under the camera's update claim (update-lock.ts), so a
 * second one refuses to start rather than write the same slot.
 */
export const UPDATE_STEPS = ["after-download", "mid-write", "before-switch", "after-switch"] as const;
export type UpdateStep = (typeof UPDATE_STEPS)[number];

export interface UpdateOptions {
  /** The verifier that distributes firmware. */
  server: string;
  /** The camera's clock; the latest server time anchor is a lower bound on it. */
  clock?: () => number;
  /** Called as each step completes (fault injection in tests; see cli/firmware.ts). */
  onStep?: (step: UpdateStep) => Promise<void> | void;
}

export type UpdateResult =
  | { status: "up_to_date"; version: string }
  | { status: "installed"; version: string; previous: string; slot: "a" | "b"; keySetVersion: number };

export class FirmwareNotProvisionedError extends Error {
  override readonly name = "FirmwareNotProvisionedError";
  constructor() {
    super("this camera holds no firmware keys: manufacture it with --firmware-keys");
  }
}

export async function updateFirmware(camera: Camera, options: UpdateOptions): Promise<UpdateResult> {
  const claim = await claimUpdateLock(camera.db, Date.now());
  try {
    return await installOffered(camera, options);
  } finally {
    await releaseUpdateLock(camera.db, claim);
  }
}

async function installOffered(camera: Camera, options: UpdateOptions): Promise<UpdateResult> {
  const { db } = camera;
  const onStep = options.onStep ?? (() => {});
  const keySet = await currentKeySet(db);
  const pointer = await bootPointer(db);
  if (!keySet || !pointer) throw new FirmwareNotProvisionedError();
  const { model } = camera.authenticator.identity;

  const base = options.server.replace(/\/+$/, "");
  let offered: { release?: unknown };
  try {
    offered = await callVerifier(`${base}/v1/firmware/latest?${new URLSearchParams({ model, keySetVersion: String(keySet.version) })}`);
  } catch (error) {
    if (error instanceof VerifierHttpError && error.code === "not_found") return { status: "up_to_date", version: pointer.version };
    throw error;
  }
  let releaseBytes: Uint8Array;
  try {
    releaseBytes = fromBase64Url(String(offered.release));
  } catch {
    throw new ProvenanceError("firmware_manifest_malformed", "the verifier's release is not base64url");
  }

  // The release already installed is no news, even if the keys that signed it have since been rotated out.
  const offeredManifest = decodeRelease(releaseBytes).manifest;
  if (offeredManifest.version === pointer.version && pointer.imageSha256 && bytesEqual(offeredManifest.imageSha256, pointer.imageSha256)) {
    return { status: "up_to_date", version: pointer.version };
  }
  const release = verifyRelease(releaseBytes, keySet);
  const { manifest } = release;
  const anchor = await latestTimeAnchor(db);
  const now = Math.max((options.clock ?? Date.now)(), anchor?.t ?? 0);
  checkInstallable(manifest, { model, installedVersion: pointer.version, now });

  const image = await download(manifest.url, (body) => readImage(body, manifest));
  await onStep("after-download");

  const slot = otherSlot(pointer.slot);
  await forgetSlot(db, slot);
  await writeSlot(camera.paths.dir, slot, image, () => Promise.resolve(onStep("mid-write")));
  // What counts is what reached flash, not the copy in memory.
  await checkImage(new Uint8Array(await readFile(slotPath(camera.paths.dir, slot))), manifest);
  await recordVerifiedSlot(db, { slot, version: manifest.version, imageSha256: manifest.imageSha256, release: releaseBytes, keySetVersion: keySet.version }, Date.now());
  await onStep("before-switch");

  const tx = await db.transaction("write");
  try {
    if (release.nextKeySet) await acceptKeySet(tx, release.nextKeySet, Date.now());
    await switchBootPointer(tx, slot, manifest.version, manifest.imageSha256, Date.now());
    await tx.commit();
  } finally {
    tx.close();
  }
  await makeDurable(db);
  await onStep("after-switch");
  return { status: "installed", version: manifest.version, previous: pointer.version, slot, keySetVersion: release.nextKeySet?.version ?? keySet.version };
}

async function download(url: string, read: (body: ReadableStream<Uint8Array>) => Promise<Uint8Array>): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new VerifierUnreachableError(`cannot download the firmware image from ${url}: ${(error as Error).message}`);
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new VerifierHttpError(response.status, "image_unavailable", `the firmware image at ${url} could not be downloaded`);
  }
  return read(response.body);
}
