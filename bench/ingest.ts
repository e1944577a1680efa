// 3. Ingest of sealed 12-megapixel photos over HTTP: POST /v1/captures with
// CBOR capture batches, as cameras sync, from a separate process (the camera)
// to the real verifier on 127.0.0.1, against the floor of one SHA-256 over each
// photo plus one P-256 verification.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { toHex } from "../src/bytes.ts";
import type { SealedCapture } from "../src/record/seal-record.ts";
import { type VerificationContext, verifyCapture } from "../src/verify/verify-capture.ts";
import { type StoredCredential, credentialKey, findCredential } from "../verifier/db/credentials.ts";
import type { World } from "../test/support/world.ts";
import { CAPTURE_BATCH_MEDIA_TYPE, decodeCaptureBatch, encodeCaptureBatch } from "../src/record/capture-batch.ts";
import { fmtMB, fmtMs, fmtRatio, log, median, sample, textTable } from "./util.ts";
import { ECDSA_P256, ECDSA_SHA256 } from "../src/crypto/es256.ts";


export interface IngestOptions {
  /** Photos per timed round. */
  photos: number;
  batchSize: number;
  warmupBatches: number;
  /** Timed rounds with ready-made batch bodies; the median round is reported. */
  rounds: number;
}

export interface IngestResult {
  photos: number;
  batchSize: number;
  rounds: number;
  bytes: number;
  seconds: number;
  photosPerSecond: number;
  mbPerSecond: number;
  floorMsPerPhoto: number;
  /** The same client sending the same batches to a node:http server that only reads them, per photo. */
  transportMsPerPhoto: number;
  breakdown: [string, number][];
}

/** How many sealed photos, in counter order, benchIngest needs. */
export function photosNeeded(options: IngestOptions): number {
  return options.warmupBatches * options.batchSize + options.photos * options.rounds;
}

/** Runs the camera side in its own process; not spawnSync, since the server answering it runs in this one. */
async function runClient(url: string, rounds: string[][]): Promise<number[]> {
  const client = await promisify(execFile)(process.execPath, [join(import.meta.dirname, "ingest-client.mjs"), url, JSON.stringify(rounds)]);
  return (JSON.parse(client.stdout) as { seconds: number[] }).seconds;
}

/** The transport floor: a node:http server that reads each body whole and answers at once. */
async function withReadOnlyServer<T>(use: (url: string) => Promise<T>): Promise<T> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      Buffer.concat(chunks);
      response.setHeader("content-type", "application/json");
      response.end('{"results":[]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    return await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

function checkResults(status: number, body: any): void {
  if (status !== 200) throw new Error(`POST /v1/captures answered ${status}: ${JSON.stringify(body)}`);
  for (const result of body.results as { status: string }[]) {
    if (result.status !== "recorded") throw new Error(`a photo was not recorded: ${JSON.stringify(result)}`);
  }
}

export async function benchIngest(world: World, sealed: SealedCapture[], options: IngestOptions): Promise<IngestResult> {
  const { batchSize, photos: perRound } = options;
  if (sealed.length < photosNeeded(options)) throw new Error(`need ${photosNeeded(options)} sealed photos, have ${sealed.length}`);
  const photos = sealed.map((capture) => capture.jpeg);
  const url = `${world.verifier.url}/v1/captures`;
  const batches = (list: Uint8Array[]) => Array.from({ length: Math.ceil(list.length / batchSize) }, (_, b) => list.slice(b * batchSize, (b + 1) * batchSize));

  // Photos go in counter order: warm-up, then the timed rounds.
  let cursor = 0;
  const take = (n: number) => photos.slice(cursor, (cursor += n));
  const warmup = take(options.warmupBatches * batchSize);
  const rounds = Array.from({ length: options.rounds }, () => take(perRound));

  // Bodies are encoded before timing: the rounds measure the verifier, not the camera.
  const encodedRounds = rounds.map((round) => batches(round).map(encodeCaptureBatch));
  const send = async (body: Uint8Array) => {
    const response = await fetch(url, { method: "POST", body: body as Uint8Array<ArrayBuffer>, headers: { "content-type": CAPTURE_BATCH_MEDIA_TYPE } });
    checkResults(response.status, await response.json());
  };

  for (const batch of batches(warmup)) await send(encodeCaptureBatch(batch));

  const files = encodedRounds.map((bodies, round) =>
    bodies.map((body, index) => {
      const file = join(world.dir, `ingest-${round}-${index}.cbor`);
      writeFileSync(file, body);
      return file;
    }),
  );
  const roundSeconds = await runClient(world.verifier.url, files);
  const transportMsPerPhoto = (median(await withReadOnlyServer((url) => runClient(url, files))) * 1000) / perRound;

  // Floor: per photo, SHA-256 over every byte and one P-256 verification.
  const keyPair = (await crypto.subtle.generateKey(ECDSA_P256, false, ["sign", "verify"])) as CryptoKeyPair;
  const data = new Uint8Array(69).fill(7);
  const signature = await crypto.subtle.sign(ECDSA_SHA256, keyPair.privateKey, data);
  const photo = rounds[0]![0]!;
  const floorMsPerPhoto = median(
    await sample(21, 3, async () => {
      createHash("sha256").update(photo).digest();
      if (!(await crypto.subtle.verify(ECDSA_SHA256, keyPair.publicKey, signature, data))) throw new Error("floor verify failed");
    }),
  );

  // Where a batch's time goes, measured in-process on photos of the same kind.
  const { db, anchorKeys, config } = world.verifier.services;
  const verifierContext: VerificationContext<StoredCredential> = {
    findCredential: (id) => findCredential(db, credentialKey(id)),
    anchorKey: async (kid) => anchorKeys.verifyingKeys.get(toHex(kid)) ?? null,
    receivedAt: async () => Date.now(),
    freshness: { receivedAt: Date.now(), maxAgeMs: config.offlineWindowMs, maxSkewMs: config.clockSkewMs },
  };
  const batch = rounds[0]!.slice(0, batchSize);
  const body = encodedRounds[0]![0]!;
  const part = async (fn: () => Promise<unknown>) => median(await sample(9, 2, fn));
  const breakdown: [string, number][] = [
    [
      `verifyCapture x${batchSize} in parallel (as the route: credential from libSQL, freshness)`,
      await part(async () => {
        const results = await Promise.all(batch.map((p) => verifyCapture(p, verifierContext)));
        if (!results.every((result) => result.ok)) throw new Error("in-process verification failed");
      }),
    ],
    [
      `batch body read + CBOR decode x${batchSize} (as readPhotos)`,
      await part(async () => {
        const read = new Uint8Array(await new Request("http://127.0.0.1/", { method: "POST", body: body as Uint8Array<ArrayBuffer> }).arrayBuffer());
        decodeCaptureBatch(read, { maxPhotos: batchSize, maxPhotoBytes: config.maxPhotoBytes });
      }),
    ],
    [`floor x${batchSize} (createHash + subtle.verify)`, floorMsPerPhoto * batchSize],
  ];

  const medianRound = median(roundSeconds);
  const roundBytes = rounds.map((round) => round.reduce((sum, p) => sum + p.length, 0));
  const bytes = median(roundBytes);
  const photosPerSecond = perRound / medianRound;
  const mbPerSecond = bytes / 2 ** 20 / medianRound;
  log(`  ${options.rounds} rounds of ${perRound} photos (${fmtMB(bytes)} each round) in batches of ${batchSize}, after ${options.warmupBatches} warm-up batch(es)`);
  log(
    textTable(
      ["what", "figure"],
      [
        ["round times", roundSeconds.map((s) => `${(s * 1000).toFixed(0)} ms`).join(", ")],
        ["median round: photos/s", photosPerSecond.toFixed(1)],
        ["median round: MiB/s", mbPerSecond.toFixed(1)],
        ["median round: per photo", fmtMs((medianRound * 1000) / perRound)],
        ["floor per photo", fmtMs(floorMsPerPhoto)],
        ["transport per photo (same client, read-only node:http server)", fmtMs(transportMsPerPhoto)],
        ["ratio (median round)", fmtRatio((medianRound * 1000) / perRound / floorMsPerPhoto)],
      ],
    ),
  );
  log(`  breakdown of one batch of ${batchSize} (medians, in-process):`);
  log(textTable(["piece", "median"], breakdown.map(([name, ms]) => [name, fmtMs(ms)])).replace(/^/gm, "    "));
  return {
    photos: perRound,
    batchSize,
    rounds: options.rounds,
    bytes,
    seconds: medianRound,
    photosPerSecond,
    mbPerSecond,
    floorMsPerPhoto,
    transportMsPerPhoto,
    breakdown,
  };
}
