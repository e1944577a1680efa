// 2. Sealing a 12-megapixel JPEG: the camera's captureAndQueue and the pure
// sealJpeg, against the floor of one SHA-256 over the file plus one P-256
// signature.

import { createHash } from "node:crypto";
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { concatBytes, utf8 } from "../src/bytes.ts";
import { ECDSA_P256, ECDSA_SHA256, signEs256 } from "../src/crypto/es256.ts";
import { sha256 } from "../src/crypto/sha256.ts";
import { embedRecordParts } from "../src/jpeg/exif-record.ts";
import { imageDataHash } from "../src/jpeg/image-hash.ts";
import { readImageInfo } from "../src/jpeg/image-info.ts";
import { readJpegLayout } from "../src/jpeg/segments.ts";
import { type AssertWithCounter, type SealedCapture, sealJpeg } from "../src/record/seal-record.ts";
import { encodeAuthenticatorData } from "../src/webauthn/authenticator-data.ts";
import type { Camera } from "../device/camera.ts";
import { captureAndQueue } from "../device/capture.ts";
import type { Frame } from "../device/sensor.ts";
import type { World } from "../test/support/world.ts";
import { fmtMB, fmtMs, fmtRatio, log, median, sample, textTable } from "./util.ts";


export interface SealResult {
  fileBytes: number;
  runs: number;
  captureMs: number;
  sealMs: number;
  floorMs: number;
  /** The floor plus writing the sealed file (writeFile + rename), as captureAndQueue must. */
  floorWithWriteMs: number;
  breakdown: [string, number][];
  /** Every photo the camera sealed, in counter order, for the ingest bench. */
  sealedByCamera: SealedCapture[];
}

export async function benchSeal(world: World, camera: Camera, frame: Frame, options: { runs: number; warmup: number; extraCaptures: number }): Promise<SealResult> {
  const { jpeg } = frame;
  const { runs, warmup } = options;
  const keyPair = (await crypto.subtle.generateKey(ECDSA_P256, false, ["sign", "verify"])) as CryptoKeyPair;
  const rpIdHash = await sha256(utf8(world.verifier.services.config.rpId));
  const sealedByCamera: SealedCapture[] = [];

  // The camera as it really captures: image hash, payload, counter step and
  // signature in its libSQL transaction, EXIF embed, sealed file written, queued.
  const capture = async () => {
    const queued = await captureAndQueue(camera, { jpeg, fingerprint: frame.fingerprint, source: "sensor" });
    sealedByCamera.push(queued.sealed);
  };
  const captureTimes = await sample(runs, warmup, capture);
  for (let i = 0; i < options.extraCaptures; i++) await capture();

  // The pure seal, with an authenticator that keeps its counter in memory.
  let signCount = 0;
  const assert: AssertWithCounter = async (clientDataHashFor) => {
    const authenticatorData = encodeAuthenticatorData({ rpIdHash, flags: 0, signCount: ++signCount });
    const clientDataHash = await clientDataHashFor(signCount);
    return { authenticatorData, signature: await signEs256(keyPair.privateKey, concatBytes(authenticatorData, clientDataHash)) };
  };
  const sealOptions = {
    credentialId: crypto.getRandomValues(new Uint8Array(32)),
    origin: world.verifier.services.config.origin,
    assert,
    source: "sensor" as const,
    capturedAt: Date.now(),
    prev: new Uint8Array(32),
    fingerprint: frame.fingerprint,
    meta: { serial: "BENCH-PURE", model: "Acme X1", firmware: "1.0.0" },
  };
  let lastSealed: SealedCapture | undefined;
  const sealTimes = await sample(runs, warmup, async () => {
    lastSealed = await sealJpeg(jpeg, sealOptions);
  });

  // The floor: one SHA-256 over every byte of the file, one P-256 signature.
  const toSign = new Uint8Array(69).fill(7);
  const floorTimes = await sample(runs, warmup, async () => {
    createHash("sha256").update(jpeg).digest();
    await crypto.subtle.sign(ECDSA_SHA256, keyPair.privateKey, toSign);
  });

  // The floor for the camera, which must also persist the sealed file.
  const floorFile = join(world.dir, "bench-floor-write.jpg");
  const floorWithWriteTimes = await sample(runs, warmup, async () => {
    createHash("sha256").update(jpeg).digest();
    await crypto.subtle.sign(ECDSA_SHA256, keyPair.privateKey, toSign);
    await writeFile(`${floorFile}.partial`, jpeg);
    await rename(`${floorFile}.partial`, floorFile);
  });

  // Where the seal's time goes, piece by piece (each a median of its own runs).
  const encodedRecord = lastSealed!.encodedRecord;
  const sealedFile = join(world.dir, "bench-seal-write.jpg");
  const part = async (fn: () => Promise<unknown> | unknown) => median(await sample(runs, 2, fn));
  const breakdown: [string, number][] = [
    ["createHash sha256 (whole file)", await part(() => createHash("sha256").update(jpeg).digest())],
    ["sha256 seam (whole file)", await part(() => sha256(jpeg))],
    ["readJpegLayout (header walk + last EOI)", await part(() => readJpegLayout(jpeg))],
    ["readImageInfo", await part(() => readImageInfo(jpeg))],
    ["imageDataHash (header walk + hash)", await part(() => imageDataHash(jpeg))],
    ["embedRecordParts (header walk + piexif, no copy)", await part(() => embedRecordParts(jpeg, encodedRecord))],
    ["signEs256 (sign + low-S DER)", await part(() => signEs256(keyPair.privateKey, toSign))],
    [
      "writeFile + rename sealed file",
      await part(async () => {
        await writeFile(`${sealedFile}.partial`, lastSealed!.jpeg);
        await rename(`${sealedFile}.partial`, sealedFile);
      }),
    ],
  ];

  const captureMs = median(captureTimes);
  const sealMs = median(sealTimes);
  const floorMs = median(floorTimes);
  const floorWithWriteMs = median(floorWithWriteTimes);
  log(`  JPEG ${frame.width}x${frame.height}, ${fmtMB(jpeg.length)}; medians of ${runs} runs after ${warmup} warm-up`);
  log(
    textTable(
      ["what", "median", "min", "max", "vs floor"],
      [
        ["captureAndQueue (camera)", captureTimes],
        ["sealJpeg (in-memory authenticator)", sealTimes],
        ["floor: createHash + subtle.sign", floorTimes],
        ["floor + writeFile/rename of the file", floorWithWriteTimes],
      ].map(([name, times]) => {
        const t = times as number[];
        return [name as string, fmtMs(median(t)), fmtMs(Math.min(...t)), fmtMs(Math.max(...t)), fmtRatio(median(t) / floorMs)];
      }),
    ),
  );
  log("  breakdown (medians, each measured on its own):");
  log(textTable(["piece", "median"], breakdown.map(([name, ms]) => [name, fmtMs(ms)])).replace(/^/gm, "    "));
  return { fileBytes: jpeg.length, runs, captureMs, sealMs, floorMs, floorWithWriteMs, breakdown, sealedByCamera };
}
