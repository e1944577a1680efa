// 1. Record verification throughput: our verifyCapture against
// @simplewebauthn/server's verifyAuthenticationResponse on the same records,
// sealed by real cameras registered with the in-process verifier.

import { type AuthenticationResponseJSON, type WebAuthnCredential, verifyAuthenticationResponse } from "@simplewebauthn/server";
import { bytesEqual, toBase64Url, toHex } from "../src/bytes.ts";
import { extractRecord } from "../src/jpeg/exif-record.ts";
import { imageDataHash } from "../src/jpeg/image-hash.ts";
import { decodeRecord } from "../src/record/capture-record.ts";
import { decodePayload } from "../src/record/payload.ts";
import { expectedChallenge } from "../src/record/seal-record.ts";
import { type VerificationContext, verifyCapture } from "../src/verify/verify-capture.ts";
import { activeCredential } from "../device/camera.ts";
import { captureAndQueue } from "../device/capture.ts";
import { readSensor } from "../device/sensor.ts";
import { type StoredCredential, credentialKey, findCredential } from "../verifier/db/credentials.ts";
import type { World } from "../test/support/world.ts";
import { fmtInt, log, median, now, pool, textTable } from "./util.ts";
import { toAuthenticationResponseJSON } from "../src/record/assertion-response.ts";

export interface VerifyBenchOptions {
  records: number;
  cameras: number;
  /** Timed passes per (variant, concurrency); the median rate is reported. */
  passes: number;
  /** Records per turn when the variants take turns. */
  chunk: number;
}

export interface VerifyResult {
  records: number;
  jpegBytes: number;
  /** records/s, keyed by variant then concurrency. */
  rates: Record<Variant, Record<number, number>>;
}

export type Variant = "ours" | "oursIngest" | "reference" | "referenceFromJpeg";

interface Item {
  jpeg: Uint8Array;
  /** What @simplewebauthn/server is handed: the assertion as a browser would send it. */
  response: AuthenticationResponseJSON;
  challenge: string;
  credential: WebAuthnCredential;
}

export const CONCURRENCIES = [16, 1] as const;

export async function benchVerify(world: World, options: VerifyBenchOptions): Promise<VerifyResult> {
  const t0 = now();
  const { items, credentials } = await makeRecords(world, options);
  const jpegBytes = median(items.map((item) => item.jpeg.length));
  log(`  made ${items.length} records on ${options.cameras} registered cameras in ${((now() - t0) / 1000).toFixed(1)} s (JPEG ${fmtInt(jpegBytes)} bytes each, ${items[0]!.jpeg.length} first)`);

  const { config, anchorKeys } = world.verifier.services;
  const context: VerificationContext<StoredCredential> = {
    // The same objects the verifier would load, from memory: this measures our parse/crypto path, not libSQL.
    findCredential: async (credentialId) => credentials.get(credentialKey(credentialId)) ?? null,
    anchorKey: async (kid) => anchorKeys.verifyingKeys.get(toHex(kid)) ?? null,
    receivedAt: async () => Date.now(),
  };
  const ingestContext: VerificationContext<StoredCredential> = {
    ...context,
    freshness: { receivedAt: Date.now() + 1000, maxAgeMs: config.offlineWindowMs, maxSkewMs: config.clockSkewMs },
  };
  const fidoOptions = {
    expectedOrigin: config.origin,
    expectedRPID: config.rpId,
    requireUserVerification: false,
    advancedFIDOConfig: { userVerification: "discouraged" as const },
  };
  const coseKeys = new Map([...credentials].map(([id, credential]) => [id, credential.coseKey]));

  const variants: Record<Variant, (item: Item) => Promise<void>> = {
    ours: async (item) => {
      const result = await verifyCapture(item.jpeg, context);
      if (!result.ok) throw new Error(`verifyCapture refused a good record: ${result.error.code}`);
    },
    oursIngest: async (item) => {
      const result = await verifyCapture(item.jpeg, ingestContext);
      if (!result.ok) throw new Error(`verifyCapture (with freshness) refused a good record: ${result.error.code}`);
    },
    reference: async (item) => {
      const result = await verifyAuthenticationResponse({ response: item.response, expectedChallenge: item.challenge, credential: item.credential, ...fidoOptions });
      if (!result.verified) throw new Error("simplewebauthn refused a good record");
    },
    // The same record work as ours (extract from EXIF, strict CBOR record and
    // payload, content hash of the small JPEG, challenge), then simplewebauthn
    // for the WebAuthn checks and the signature.
    referenceFromJpeg: async (item) => {
      const encoded = extractRecord(item.jpeg);
      if (!encoded) throw new Error("no record");
      const record = decodeRecord(encoded);
      const payload = decodePayload(record.payload);
      if (!bytesEqual(await imageDataHash(item.jpeg), payload.contentHash)) throw new Error("content mismatch");
      const id = toBase64Url(record.credentialId);
      const publicKey = coseKeys.get(id);
      if (!publicKey) throw new Error("unknown credential");
      const result = await verifyAuthenticationResponse({
        response: toAuthenticationResponseJSON(record),
        expectedChallenge: await expectedChallenge(record.payload),
        credential: { id, publicKey: publicKey as Uint8Array<ArrayBuffer>, counter: payload.counter - 1 },
        ...fidoOptions,
      });
      if (!result.verified) throw new Error("simplewebauthn refused a good record");
    },
  };

  // Warm-up: JIT, our key cache (as in a running verifier), the libraries' lazy set-up.
  const warm = items.slice(0, Math.min(400, items.length));
  for (const run of Object.values(variants)) await pool(warm, 16, run);

  // Background load on a small machine drifts; so the variants take turns on
  // chunks of the same records (order rotating), and each variant's rate is its
  // records over the sum of its own chunk times.
  const rates = { ours: {}, oursIngest: {}, reference: {}, referenceFromJpeg: {} } as Record<Variant, Record<number, number>>;
  const order: Variant[] = ["ours", "reference", "referenceFromJpeg", "oursIngest"];
  for (const concurrency of CONCURRENCIES) {
    const samples = { ours: [], oursIngest: [], reference: [], referenceFromJpeg: [] } as Record<Variant, number[]>;
    for (let pass = 0; pass < options.passes; pass++) {
      const spent = { ours: 0, oursIngest: 0, reference: 0, referenceFromJpeg: 0 } as Record<Variant, number>;
      for (let from = 0, turn = pass; from < items.length; from += options.chunk, turn++) {
        const chunk = items.slice(from, from + options.chunk);
        for (let k = 0; k < order.length; k++) {
          const variant = order[(k + turn) % order.length]!;
          const start = now();
          await pool(chunk, concurrency, variants[variant]);
          spent[variant] += now() - start;
        }
      }
      for (const variant of order) samples[variant].push(items.length / (spent[variant] / 1000));
    }
    for (const variant of order) rates[variant][concurrency] = median(samples[variant]);
  }

  log(
    textTable(
      ["variant", ...CONCURRENCIES.map((c) => `${c} in flight, rec/s`)],
      order.map((variant) => [variant, ...CONCURRENCIES.map((c) => fmtInt(rates[variant][c]!))]),
    ),
  );
  return { records: items.length, jpegBytes, rates };
}

/** Real cameras (manufactured by the world's vendor CA, registered over HTTP) seal small sensor frames. */
async function makeRecords(world: World, options: VerifyBenchOptions): Promise<{ items: Item[]; credentials: Map<string, StoredCredential> }> {
  const frames = await Promise.all(Array.from({ length: 8 }, (_, seed) => readSensor({ width: 64, height: 48, seed: 1000 + seed })));
  const cameras = [];
  for (let i = 0; i < options.cameras; i++) cameras.push(await world.newCamera(`BENCH-V${i}`));
  const credentials = new Map<string, StoredCredential>();
  for (const camera of cameras) {
    const active = await activeCredential(camera.db);
    const stored = await findCredential(world.verifier.services.db, credentialKey(active!.credentialId));
    if (!stored) throw new Error("the verifier does not know a camera it registered");
    credentials.set(stored.id, stored);
  }
  const perCamera = Math.ceil(options.records / cameras.length);
  const byCamera = await Promise.all(
    cameras.map(async (camera, c) => {
      const items: Item[] = [];
      for (let i = 0; i < perCamera; i++) {
        const frame = frames[(i + c) % frames.length]!;
        const { sealed } = await captureAndQueue(camera, { jpeg: frame.jpeg, fingerprint: frame.fingerprint, source: "sensor" });
        const id = toBase64Url(sealed.record.credentialId);
        items.push({
          jpeg: sealed.jpeg,
          response: toAuthenticationResponseJSON(sealed.record),
          challenge: await expectedChallenge(sealed.record.payload),
          credential: { id, publicKey: credentials.get(id)!.coseKey as Uint8Array<ArrayBuffer>, counter: sealed.payload.counter - 1 },
        });
      }
      return items;
    }),
  );
  // Interleave the cameras, as a verifier serving several would see them.
  const items: Item[] = [];
  for (let i = 0; i < perCamera; i++) for (const list of byCamera) if (list[i]) items.push(list[i]!);
  return { items: items.slice(0, options.records), credentials };
}
