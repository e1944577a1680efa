// Acceptance: "Bad input: truncated and random JPEGs, CBOR with huge lengths or
// deep nesting, oversized bodies, wrong content types: 4xx with an error code,
// never a 500, and nothing already stored changes."
//
// One real verifier (127.0.0.1, its own libSQL file) with a registered camera
// that has synced three captures. Every hostile request goes over HTTP; after
// each test the stored credentials, captures and server keys are compared with
// the snapshot taken before it (afterEach), so the test that changes stored
// data is the one that fails.
//
// How bad input is answered:
// - a request the verifier cannot take (wrong content type, no photo parts, too
//   big, unknown route, bad registration) is a 4xx `{ error: { code, message } }`;
// - a sync batch is taken and answered 200 with one result per photo: a bad
//   photo is "rejected" with its code and the good ones around it are recorded;
// - a check is taken and answered 200 with a report: a bad photo gets the verdict
//   "invalid" (or "no_record") and `failure: { step: "parse", code }`.

import assert from "node:assert/strict";
import http from "node:http";
import { after, afterEach, before, describe, it } from "node:test";
import { concatBytes, fromBase64Url, toBase64Url, toHex, utf8 } from "../../src/bytes.ts";
import { type CborValue, encodeCanonical } from "../../src/cbor/canonical.ts";
import { type ErrorCode, errorCodes } from "../../src/errors.ts";
import { encodeCaptureBatch } from "../../src/record/capture-batch.ts";
import { captureIdFor } from "../../src/record/capture-record.ts";
import { encodeClientData } from "../../src/webauthn/client-data.ts";
import type { Camera } from "../../device/camera.ts";
import type { QueuedCapture } from "../../device/capture.ts";
import { syncQueue } from "../../device/sync.ts";
import {
  EXIF_IFD_POINTER,
  MAKER_NOTE,
  TIFF_LONG,
  TIFF_UNDEFINED,
  app1LengthPastEnd,
  cborFloat64,
  secondSoi,
  frameLengthZero,
  nestedArrays,
  nestedMaps,
  payloadMap,
  pngBytes,
  randomBytes,
  recordMap,
  replaceUintValue,
  scanLengthPastEnd,
  tiff,
  truncated,
  withExifSegment,
  withMakerNoteVersion,
  withPayload,
  withRecord,
} from "../support/hostile.ts";
import { type World, capture, checkPhoto, createWorld, postBatch } from "../support/world.ts";

/** Small limits, so "too large" costs a megabyte, not hundreds. A sealed 640x480 capture is about 45 KB. */
const MAX_PHOTO_BYTES = 256 * 1024;
const MAX_BATCH_BYTES = 1024 * 1024;
const MAX_BATCH_PHOTOS = 10;

let world: World;
let url: string;
let camera: Camera;
let synced: QueuedCapture[];
let png: Uint8Array;
let baseline: Snapshot;

before(async () => {
  world = await createWorld({ maxPhotoBytes: MAX_PHOTO_BYTES, maxBatchBytes: MAX_BATCH_BYTES, maxBatchPhotos: MAX_BATCH_PHOTOS });
  url = world.verifier.url;
  camera = await world.newCamera();
  synced = [];
  for (const seed of [11, 12, 13]) synced.push(await capture(camera, seed));
  const report = await syncQueue(camera);
  assert.equal(report.recorded, 3, "setup: the camera syncs its three captures");
  png = await pngBytes();
  baseline = await snapshot();
  assert.equal(baseline.captures.length, 3);
  assert.equal(baseline.credentials.length, 1);
});

after(async () => {
  await world?.close();
});

afterEach(async () => {
  const now = await snapshot();
  try {
    assert.deepEqual(now, baseline, "stored credentials, captures and server keys are unchanged");
  } finally {
    // A change is reported once, by the test that made it, not by every later one.
    baseline = now;
  }
});

// ---------------------------------------------------------------------------
// Stored state

interface Snapshot {
  credentials: string[];
  captures: string[];
  serverKeys: string[];
}

async function snapshot(): Promise<Snapshot> {
  const { db } = world.verifier.services;
  const rows = async (sql: string): Promise<string[]> => {
    const result = await db.execute(sql);
    return result.rows.map((row) =>
      JSON.stringify(result.columns.map((column) => [column, row[column] instanceof ArrayBuffer ? `hex:${toHex(new Uint8Array(row[column]))}` : row[column]])),
    );
  };
  return {
    credentials: await rows("SELECT * FROM credentials ORDER BY id"),
    captures: await rows("SELECT * FROM captures ORDER BY id"),
    serverKeys: await rows("SELECT * FROM server_keys ORDER BY kid"),
  };
}

// ---------------------------------------------------------------------------
// HTTP helpers

const STATUS: Partial<Record<ErrorCode, number>> = {
  bad_request: 400,
  image_malformed: 400,
  record_malformed: 400,
  payload_malformed: 400,
  record_version_unsupported: 400,
  record_too_large: 413,
  client_data_malformed: 400,
  registration_challenge_invalid: 400,
  attestation_malformed: 400,
  not_found: 404,
  body_too_large: 413,
  image_too_large: 413,
  unsupported_media_type: 415,
  client_data_type_mismatch: 422,
  origin_mismatch: 422,
  attestation_format_unsupported: 422,
};

/** Asserts a JSON error answer `{ error: { code, message } }` with the status that belongs to `code`. */
async function expectError(response: Response, code: ErrorCode): Promise<void> {
  const text = await response.text();
  assert.equal(response.status, STATUS[code], `status for ${code}; body ${text.slice(0, 300)}`);
  assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  assert.deepEqual(Object.keys(body), ["error"]);
  assert.deepEqual(Object.keys(body.error).sort(), ["code", "message"]);
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, "string");
  assert.ok(body.error.message.length > 0);
}

function form(parts: [name: string, value: Uint8Array | string][]): FormData {
  const data = new FormData();
  parts.forEach(([name, value], index) => {
    if (typeof value === "string") data.append(name, value);
    else data.append(name, new Blob([value as Uint8Array<ArrayBuffer>], { type: "image/jpeg" }), `${index}.jpg`);
  });
  return data;
}

function post(path: string, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}${path}`, { method: "POST", headers, body });
}

/**
 * For bodies the verifier refuses before reading them: `connection: close`
 * keeps the unread rest of the body from poisoning the keep-alive connection
 * other tests share (see "keep-alive connections survive refused bodies").
 */
const closeAfter = { connection: "close" };

/** A body without Content-Length: `size` zero bytes in 64 KiB chunks. */
function streamed(size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= size) return controller.close();
      const chunk = new Uint8Array(Math.min(65536, size - sent));
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

function postStreamed(path: string, size: number, contentType: string): Promise<Response> {
  const init: RequestInit & { duplex: "half" } = {
    method: "POST",
    headers: { "content-type": contentType, ...closeAfter },
    body: streamed(size),
    duplex: "half",
  };
  return fetch(`${url}${path}`, init);
}

function expectMessageOf(code: ErrorCode, message: unknown): void {
  assert.equal(typeof message, "string");
  const text = message as string;
  assert.ok(text === errorCodes[code] || text.startsWith(`${errorCodes[code]} (`), `message of ${code}: ${text}`);
}

// ---------------------------------------------------------------------------
// Hostile photos: each is refused alone in a sync batch and reported on by a check.

interface HostilePhoto {
  name: string;
  bytes: () => Uint8Array;
  code: ErrorCode;
}

const sealed = (index = 0) => synced[index]!.sealed;
/** A sealed, synced capture with its record replaced by `record`. */
const sealedWith = (record: Uint8Array) => withRecord(sealed().jpeg, record);
const recordWith = (change: (map: Map<string, CborValue>) => void) => {
  const map = recordMap(sealed().encodedRecord);
  change(map);
  return encodeCanonical(map);
};
const payloadWith = (change: (map: Map<string, CborValue>) => void) => {
  const map = payloadMap(sealed().encodedRecord);
  change(map);
  return withPayload(sealed().encodedRecord, encodeCanonical(map));
};
const payloadBytes = () => recordMap(sealed().encodedRecord).get("payload") as Uint8Array;
const exifIfdWithMakerNote = (count: number, offset: number) =>
  tiff(
    [
      { at: 8, entries: [{ tag: EXIF_IFD_POINTER, type: TIFF_LONG, count: 1, value: 26 }], next: 0 },
      { at: 26, entries: [{ tag: MAKER_NOTE, type: TIFF_UNDEFINED, count, value: offset }], next: 0 },
    ],
    64,
  );

const hostilePhotos: HostilePhoto[] = [
  // Not a JPEG, or a broken one.
  { name: "a 0-byte file", bytes: () => new Uint8Array(0), code: "image_malformed" },
  { name: "4 KB of random bytes", bytes: () => randomBytes(4096, 1), code: "image_malformed" },
  { name: "random bytes after a JPEG SOI marker", bytes: () => concatBytes(Uint8Array.of(0xff, 0xd8), randomBytes(4096, 2)), code: "image_malformed" },
  { name: "a PNG made with sharp", bytes: () => png, code: "image_malformed" },
  { name: "a sealed JPEG truncated in half", bytes: () => truncated(sealed().jpeg, sealed().jpeg.length >> 1), code: "image_malformed" },
  { name: "a sealed JPEG cut inside its Exif segment", bytes: () => truncated(sealed().jpeg, 300), code: "image_malformed" },
  { name: "an APP1 segment whose length points past the end of the file", bytes: app1LengthPastEnd, code: "image_malformed" },
  { name: "a sealed JPEG whose start-of-scan length points past the end", bytes: () => scanLengthPastEnd(sealed().jpeg), code: "image_malformed" },
  { name: "a sealed JPEG whose frame header has length 0", bytes: () => frameLengthZero(sealed().jpeg), code: "image_malformed" },
  { name: "SOI then EOI, with no scan", bytes: () => Uint8Array.of(0xff, 0xd8, 0xff, 0xd9), code: "image_malformed" },
  { name: "a second SOI among the header segments", bytes: () => secondSoi(sealed().jpeg), code: "image_malformed" },
  // Exif that is not a TIFF structure: docs/format.md §10.2 step 3 makes it image_malformed.
  { name: "an Exif segment of random bytes", bytes: () => withExifSegment(sealed().jpeg, randomBytes(512, 3)), code: "image_malformed" },
  // A value claiming more bytes than the segment holds is a broken TIFF structure too.
  { name: "a MakerNote whose byte count is 2^31-1", bytes: () => withExifSegment(sealed().jpeg, exifIfdWithMakerNote(0x7fffffff, 8)), code: "image_malformed" },
  // Exif that parses but leads to no MakerNote value (§10.2 step 4): no record.
  {
    name: "an Exif IFD that points at itself",
    bytes: () => withExifSegment(sealed().jpeg, tiff([{ at: 8, entries: [{ tag: EXIF_IFD_POINTER, type: TIFF_LONG, count: 1, value: 8 }], next: 8 }], 64)),
    code: "record_missing",
  },
  { name: "a MakerNote whose offset points past the segment", bytes: () => withExifSegment(sealed().jpeg, exifIfdWithMakerNote(16, 0xfffffff0)), code: "record_missing" },
  // The record behind "SnapSeal\x01" is not strict CBOR.
  { name: "a record of 512 random bytes", bytes: () => sealedWith(randomBytes(512, 4)), code: "record_malformed" },
  { name: "an empty record", bytes: () => sealedWith(new Uint8Array(0)), code: "record_malformed" },
  { name: "a record declaring a byte string of 2^64-1 bytes (0x5b ff*8)", bytes: () => sealedWith(Uint8Array.of(0x5b, ...new Uint8Array(8).fill(0xff))), code: "record_malformed" },
  { name: "a record declaring a byte string of 4 GiB (0x5a ff*4)", bytes: () => sealedWith(Uint8Array.of(0x5a, 0xff, 0xff, 0xff, 0xff)), code: "record_malformed" },
  { name: "a record declaring an array of 2^64-1 items (0x9b ff*8)", bytes: () => sealedWith(Uint8Array.of(0x9b, ...new Uint8Array(8).fill(0xff))), code: "record_malformed" },
  { name: "a record declaring an array of 2^32-1 items (0x9a ff*4)", bytes: () => sealedWith(Uint8Array.of(0x9a, 0xff, 0xff, 0xff, 0xff)), code: "record_malformed" },
  { name: "a record declaring a map of 2^64-1 entries (0xbb ff*8)", bytes: () => sealedWith(Uint8Array.of(0xbb, ...new Uint8Array(8).fill(0xff))), code: "record_malformed" },
  { name: "a record of 100 nested arrays", bytes: () => sealedWith(nestedArrays(100)), code: "record_malformed" },
  { name: "a record of 10000 nested arrays (0x81 * 10000)", bytes: () => sealedWith(nestedArrays(10_000)), code: "record_malformed" },
  { name: "a record of 5000 nested maps", bytes: () => sealedWith(nestedMaps(5000)), code: "record_malformed" },
  { name: "a record of 10000 nested tags", bytes: () => sealedWith(concatBytes(new Uint8Array(10_000).fill(0xc6), Uint8Array.of(0))), code: "record_malformed" },
  { name: "a record that is a self-referencing shared value (tags 28/29)", bytes: () => sealedWith(Uint8Array.of(0xd8, 0x1c, 0x81, 0xd8, 0x1d, 0x00)), code: "record_malformed" },
  {
    name: "a valid record re-encoded as an indefinite-length map",
    bytes: () => sealedWith(concatBytes(Uint8Array.of(0xbf), sealed().encodedRecord.subarray(1), Uint8Array.of(0xff))),
    code: "record_malformed",
  },
  { name: "a valid record followed by a trailing byte", bytes: () => sealedWith(concatBytes(sealed().encodedRecord, Uint8Array.of(0x00))), code: "record_malformed" },
  { name: "a valid record followed by a second record", bytes: () => sealedWith(concatBytes(sealed().encodedRecord, sealed(1).encodedRecord)), code: "record_malformed" },
  { name: "a record of 20 KB", bytes: () => sealedWith(concatBytes(sealed().encodedRecord, new Uint8Array(20 * 1024 - sealed().encodedRecord.length))), code: "record_too_large" },
  // Strict CBOR of the wrong shape.
  { name: "a record with version 2", bytes: () => sealedWith(recordWith((map) => map.set("v", 2))), code: "record_version_unsupported" },
  { name: "a MakerNote with format version 2 (SnapSeal\\x02)", bytes: () => withMakerNoteVersion(sealed().jpeg, sealed().encodedRecord, 2), code: "record_version_unsupported" },
  { name: "a record with an extra unknown key", bytes: () => sealedWith(recordWith((map) => map.set("extra", 1))), code: "record_malformed" },
  { name: "a record with an integer key", bytes: () => sealedWith(encodeCanonical(new Map<string | number, CborValue>([...recordMap(sealed().encodedRecord), [1, 1]]))), code: "record_malformed" },
  { name: "a record without its signature", bytes: () => sealedWith(recordWith((map) => map.delete("signature"))), code: "record_malformed" },
  { name: "a record whose credentialId is text", bytes: () => sealedWith(recordWith((map) => map.set("credentialId", "AAAAAAAAAAAAAAAAAAAAAA"))), code: "record_malformed" },
  { name: "a record that is a CBOR array", bytes: () => sealedWith(encodeCanonical([...recordMap(sealed().encodedRecord).values()])), code: "record_malformed" },
  { name: "a payload with a float (1.5) as counter", bytes: () => sealedWith(withPayload(sealed().encodedRecord, replaceUintValue(payloadBytes(), "counter", cborFloat64(1.5)))), code: "payload_malformed" },
  {
    name: "a payload with capturedAt as an integral float64",
    bytes: () => sealedWith(withPayload(sealed().encodedRecord, replaceUintValue(payloadBytes(), "capturedAt", cborFloat64(sealed().payload.capturedAt)))),
    code: "payload_malformed",
  },
  { name: "a payload with an extra unknown key", bytes: () => sealedWith(payloadWith((map) => map.set("extra", "x"))), code: "payload_malformed" },
  {
    name: "a payload whose meta has an extra unknown key",
    bytes: () => sealedWith(payloadWith((map) => (map.get("meta") as Map<string, CborValue>).set("extra", "x"))),
    code: "payload_malformed",
  },
  { name: "a payload with version 2", bytes: () => sealedWith(payloadWith((map) => map.set("v", 2))), code: "payload_malformed" },
  { name: "a payload declaring a byte string of 2^64-1 bytes", bytes: () => sealedWith(withPayload(sealed().encodedRecord, Uint8Array.of(0x5b, ...new Uint8Array(8).fill(0xff)))), code: "payload_malformed" },
  { name: "a payload of 4000 nested arrays", bytes: () => sealedWith(withPayload(sealed().encodedRecord, nestedArrays(4000))), code: "payload_malformed" },
];

const verdictFor = (code: ErrorCode) => (code === "record_missing" ? "no_record" : "invalid");

/** A photo that does not parse is bad input: a 4xx with the error body, and the report beside it; no record is an answer (200). */
async function expectCheckReport(response: Response, code: ErrorCode): Promise<void> {
  const text = await response.text();
  const body = JSON.parse(text);
  if (code === "record_missing") {
    assert.equal(response.status, 200, `status; body ${text.slice(0, 300)}`);
    assert.equal(body.error, undefined);
  } else {
    assert.equal(response.status, STATUS[code], `status; body ${text.slice(0, 300)}`);
    assert.equal(body.error.code, code);
    expectMessageOf(code, body.error.message);
  }
  assert.equal(body.verdict, verdictFor(code));
  assert.deepEqual(body.passed, []);
  assert.equal(body.failure.step, "parse");
  assert.equal(body.failure.code, code);
  expectMessageOf(code, body.failure.message);
  assert.equal(body.recorded, null);
  assert.equal(body.device, null);
}

describe("POST /v1/captures: a hostile photo alone in a batch is answered 200 with one rejected result", () => {
  for (const photo of hostilePhotos) {
    it(`${photo.name} → rejected ${photo.code}`, async () => {
      const { status, body } = await postBatch(world.verifier, [photo.bytes()]);
      assert.equal(status, 200, JSON.stringify(body).slice(0, 300));
      assert.equal(body.results.length, 1);
      const [result] = body.results;
      assert.deepEqual(result, { index: 0, status: "rejected", code: photo.code, message: result.message });
      expectMessageOf(photo.code, result.message);
    });
  }
});

describe("POST /v1/provenance/check, raw image/jpeg: a hostile photo gets a report that says why", () => {
  for (const photo of hostilePhotos) {
    it(`${photo.name} → ${verdictFor(photo.code)}, ${photo.code}`, async () => {
      await expectCheckReport(await post("/v1/provenance/check", photo.bytes() as Uint8Array<ArrayBuffer>, { "content-type": "image/jpeg" }), photo.code);
    });
  }
});

describe("POST /v1/provenance/check, multipart: a hostile photo gets a report that says why", () => {
  for (const photo of hostilePhotos) {
    it(`${photo.name} → ${verdictFor(photo.code)}, ${photo.code}`, async () => {
      await expectCheckReport(await post("/v1/provenance/check", form([["photo", photo.bytes()]])), photo.code);
    });
  }
});

describe("POST /v1/captures: bad photos inside an otherwise good batch", () => {
  it("each bad photo is rejected with its code, the good ones are recorded, the answer is 200", async () => {
    // Two fresh captures, consecutive in the camera's chain, around a mix of bad photos.
    const first = await capture(camera, 21);
    const second = await capture(camera, 22);
    const bad: [Uint8Array, ErrorCode][] = [
      [truncated(sealed().jpeg, sealed().jpeg.length >> 1), "image_malformed"],
      [png, "image_malformed"],
      [new Uint8Array(0), "image_malformed"],
      [sealedWith(randomBytes(512, 9)), "record_malformed"],
      [sealedWith(Uint8Array.of(0x5b, ...new Uint8Array(8).fill(0xff))), "record_malformed"],
      [sealedWith(nestedArrays(10_000)), "record_malformed"],
    ];
    assert.ok(bad.length + 3 <= MAX_BATCH_PHOTOS);
    const photos = [first.sealed.jpeg, ...bad.map(([bytes]) => bytes), sealed(2).jpeg, second.sealed.jpeg];
    const before = baseline;
    const { status, body } = await postBatch(world.verifier, photos);
    const now = await snapshot();
    // What this test adds on purpose is not a change for the afterEach check.
    baseline = now;
    assert.equal(status, 200, JSON.stringify(body).slice(0, 300));
    const firstId = captureIdFor(first.sealed.recordHash);
    const secondId = captureIdFor(second.sealed.recordHash);
    const last = photos.length - 1;
    assert.deepEqual(body.results, [
      { index: 0, status: "recorded", captureId: firstId, chainGap: false },
      ...bad.map(([, code], i) => ({ index: i + 1, status: "rejected", code, message: body.results[i + 1].message })),
      { index: last - 1, status: "already_recorded", captureId: captureIdFor(sealed(2).recordHash) },
      { index: last, status: "recorded", captureId: secondId, chainGap: false },
    ]);
    bad.forEach(([, code], i) => expectMessageOf(code, body.results[i + 1].message));

    // Exactly the two good captures were added; what was stored is untouched but
    // for the camera's credential, whose counter and chain head moved on.
    assert.deepEqual(now.serverKeys, before.serverKeys);
    assert.equal(now.captures.length, before.captures.length + 2);
    for (const row of before.captures) assert.ok(now.captures.includes(row), "a stored capture row is unchanged");
    const added = now.captures.filter((row) => !before.captures.includes(row)).map((row) => Object.fromEntries(JSON.parse(row)));
    assert.deepEqual(added.map((row) => row.id).sort(), [firstId, secondId].sort());
    const credential = (await world.verifier.services.db.execute("SELECT last_counter, last_record_hash, flagged_at FROM credentials")).rows[0]!;
    assert.equal(Number(credential.last_counter), second.sealed.payload.counter);
    assert.equal(toHex(new Uint8Array(credential.last_record_hash as ArrayBuffer)), toHex(second.sealed.recordHash));
    assert.equal(credential.flagged_at, null);
    for (const id of [firstId, secondId]) assert.equal((await fetch(`${url}/v1/captures/${id}`)).status, 200);
    for (const good of [first, second]) {
      const check = await checkPhoto(world.verifier, good.sealed.jpeg);
      assert.equal(check.body.verdict, "authentic");
      assert.equal(check.body.recorded.captureId, captureIdFor(good.sealed.recordHash));
    }
  });
});

// ---------------------------------------------------------------------------
// Requests the photo endpoints cannot take.

for (const [endpoint, maxPhotos] of [
  ["/v1/captures", MAX_BATCH_PHOTOS],
  ["/v1/provenance/check", 1],
] as const) {
  describe(`POST ${endpoint}: requests it cannot take are 4xx`, () => {
    it("text/plain → 415 unsupported_media_type", async () => {
      await expectError(await post(endpoint, "hello", { "content-type": "text/plain" }), "unsupported_media_type");
    });
    it("application/json → 415 unsupported_media_type", async () => {
      await expectError(await post(endpoint, JSON.stringify({ photo: toBase64Url(sealed().jpeg) }), { "content-type": "application/json" }), "unsupported_media_type");
    });
    it("image/png with a PNG → 415 unsupported_media_type", async () => {
      await expectError(await post(endpoint, png as Uint8Array<ArrayBuffer>, { "content-type": "image/png" }), "unsupported_media_type");
    });
    it("application/x-www-form-urlencoded → 415 unsupported_media_type", async () => {
      await expectError(await post(endpoint, new URLSearchParams({ photo: "x" })), "unsupported_media_type");
    });
    it("no content type at all → 415 unsupported_media_type", async () => {
      await expectError(await post(endpoint, sealed().jpeg as Uint8Array<ArrayBuffer>), "unsupported_media_type");
    });
    it("multipart without photo parts → 400 bad_request", async () => {
      await expectError(await post(endpoint, form([["file", sealed().jpeg]])), "bad_request");
    });
    it("multipart with a string photo part instead of a file → 400 bad_request", async () => {
      await expectError(await post(endpoint, form([["photo", "not a file"]])), "bad_request");
    });
    it("multipart with a file and then a string photo part → 400 bad_request", async () => {
      await expectError(await post(endpoint, form([["photo", sealed(1).jpeg], ["photo", "not a file"]])), "bad_request");
    });
    it("multipart whose body does not parse → 400 bad_request", async () => {
      await expectError(await post(endpoint, "garbage, not multipart", { "content-type": "multipart/form-data; boundary=xyz" }), "bad_request");
    });
    it("multipart without a boundary → 400 bad_request", async () => {
      await expectError(await post(endpoint, "--x\r\n\r\n--x--\r\n", { "content-type": "multipart/form-data" }), "bad_request");
    });
    it("an empty multipart body → 400 bad_request", async () => {
      await expectError(await post(endpoint, "--xyz--\r\n", { "content-type": "multipart/form-data; boundary=xyz" }), "bad_request");
    });
    it(`too many photos (${maxPhotos + 1}) → 400 bad_request`, async () => {
      const parts = Array.from({ length: maxPhotos + 1 }, () => ["photo", sealed(1).jpeg] as [string, Uint8Array]);
      await expectError(await post(endpoint, form(parts)), "bad_request");
    });
    if (endpoint === "/v1/captures") {
      // One oversized photo must not block a camera's queue: it is refused on its own.
      it("a photo part over maxPhotoBytes beside a good one → 200, that part rejected image_too_large", async () => {
        const response = await post(endpoint, form([["photo", randomBytes(MAX_PHOTO_BYTES + 1, 5)], ["photo", sealed(1).jpeg]]));
        assert.equal(response.status, 200);
        const body = (await response.json()) as { results: { status: string; code?: string }[] };
        assert.equal(body.results[0]!.status, "rejected");
        assert.equal(body.results[0]!.code, "image_too_large");
        assert.equal(body.results[1]!.status, "already_recorded");
      });
    } else {
      it("a photo part over maxPhotoBytes → 413 image_too_large", async () => {
        await expectError(await post(endpoint, form([["photo", randomBytes(MAX_PHOTO_BYTES + 1, 5)]])), "image_too_large");
      });
    }
    it("a raw image/jpeg body over maxPhotoBytes → 413 image_too_large", async () => {
      await expectError(await post(endpoint, randomBytes(MAX_PHOTO_BYTES + 1, 6) as Uint8Array<ArrayBuffer>, { "content-type": "image/jpeg" }), "image_too_large");
    });
  });
}

describe("POST /v1/captures: oversized batches", () => {
  it("a multipart batch over maxBatchBytes (with Content-Length) → 413 body_too_large", async () => {
    const parts = Array.from({ length: 5 }, (_, i) => ["photo", randomBytes(MAX_PHOTO_BYTES - 1024, 7 + i)] as [string, Uint8Array]);
    await expectError(await fetch(`${url}/v1/captures`, { method: "POST", headers: closeAfter, body: form(parts) }), "body_too_large");
  });
  it("a raw body over maxBatchBytes (with Content-Length) → 413 body_too_large", async () => {
    await expectError(await post("/v1/captures", new Uint8Array(MAX_BATCH_BYTES + 1), { "content-type": "image/jpeg", ...closeAfter }), "body_too_large");
  });
  it("a multipart body over maxBatchBytes streamed without Content-Length → 413 body_too_large", async () => {
    await expectError(await postStreamed("/v1/captures", 2 * MAX_BATCH_BYTES, "multipart/form-data; boundary=xyz"), "body_too_large");
  });
  it("a photo sent as one part of 8 MB → 413 body_too_large", async () => {
    await expectError(await fetch(`${url}/v1/captures`, { method: "POST", headers: closeAfter, body: form([["photo", new Uint8Array(8 * 1024 * 1024)]]) }), "body_too_large");
  });
});

describe("POST /v1/captures: CBOR capture batches it cannot take", () => {
  const postCbor = (body: Uint8Array) => post("/v1/captures", body as Uint8Array<ArrayBuffer>, { "content-type": "application/cbor" });
  const hex = (text: string) => Uint8Array.from(text.match(/../g)!.map((pair) => parseInt(pair, 16)));
  it("a CBOR map instead of an array → 400 bad_request", async () => {
    await expectError(await postCbor(hex("a0")), "bad_request");
  });
  it("an empty array → 400 bad_request", async () => {
    await expectError(await postCbor(hex("80")), "bad_request");
  });
  it("a text item instead of a byte string → 400 bad_request", async () => {
    // [ "a", h'ff' ]
    await expectError(await postCbor(hex("82616141ff")), "bad_request");
  });
  it("trailing bytes after the array → 400 bad_request", async () => {
    await expectError(await postCbor(concatBytes(encodeCaptureBatch([sealed(1).jpeg]), hex("00"))), "bad_request");
  });
  it("a byte string declaring 2^64-1 bytes → 400 bad_request", async () => {
    await expectError(await postCbor(hex("815bffffffffffffffff")), "bad_request");
  });
  it("10,000 nested arrays → 400 bad_request", async () => {
    await expectError(await postCbor(new Uint8Array(10_000).fill(0x81)), "bad_request");
  });
  it(`too many photos (${MAX_BATCH_PHOTOS + 1}) → 400 bad_request`, async () => {
    await expectError(await postCbor(encodeCaptureBatch(Array.from({ length: MAX_BATCH_PHOTOS + 1 }, () => sealed(1).jpeg))), "bad_request");
  });
  it("an oversized photo beside a good one → 200, that photo rejected image_too_large", async () => {
    const response = await postCbor(encodeCaptureBatch([new Uint8Array(MAX_PHOTO_BYTES + 1), sealed(1).jpeg]));
    assert.equal(response.status, 200);
    const body = (await response.json()) as { results: { status: string; code?: string }[] };
    assert.deepEqual(
      body.results.map((result) => [result.status, result.code]),
      [
        ["rejected", "image_too_large"],
        ["already_recorded", undefined],
      ],
    );
  });
});

describe("POST /v1/provenance/check: oversized bodies", () => {
  const limit = MAX_PHOTO_BYTES + 64 * 1024;
  it("a raw body over maxPhotoBytes + 64 KiB (with Content-Length) → 413 body_too_large", async () => {
    await expectError(await post("/v1/provenance/check", new Uint8Array(limit + 1), { "content-type": "image/jpeg", ...closeAfter }), "body_too_large");
  });
  it("a raw body streamed without Content-Length → 413 body_too_large", async () => {
    await expectError(await postStreamed("/v1/provenance/check", 4 * limit, "image/jpeg"), "body_too_large");
  });
  it("a multipart body over the limit → 413 body_too_large", async () => {
    await expectError(await fetch(`${url}/v1/provenance/check`, { method: "POST", headers: closeAfter, body: form([["photo", new Uint8Array(2 * limit)]]) }), "body_too_large");
  });
});

// ---------------------------------------------------------------------------
// Registration.

const registerPath = "/v1/devices/register";
const postJson = (body: string, contentType = "application/json") => post(registerPath, body, { "content-type": contentType });
const someBase64Url = toBase64Url(randomBytes(64, 8));
const origin = "https://snapseal.localhost";

function clientData(fields: Record<string, unknown>): string {
  return toBase64Url(utf8(JSON.stringify({ type: "webauthn.create", challenge: toBase64Url(randomBytes(32, 9)), origin, crossOrigin: false, ...fields })));
}

/** A challenge the verifier issued, in clientDataJSON for the verifier's own origin. */
async function issuedClientData(): Promise<string> {
  const options = (await (await post(`${registerPath}/options`, "{}", { "content-type": "application/json" })).json()) as { challenge: string; origin: string };
  return toBase64Url(encodeClientData("webauthn.create", fromBase64Url(options.challenge), options.origin));
}

describe("POST /v1/devices/register: bad registrations are 4xx", () => {
  it("a body that is not JSON → 400 bad_request", async () => {
    await expectError(await postJson("{ this is not json"), "bad_request");
  });
  it("a JSON body that is null → 400 bad_request", async () => {
    await expectError(await postJson("null"), "bad_request");
  });
  it("a JSON body that is an array → 400 bad_request", async () => {
    await expectError(await postJson(JSON.stringify([someBase64Url, someBase64Url])), "bad_request");
  });
  it("a JSON body that is a string → 400 bad_request", async () => {
    await expectError(await postJson(JSON.stringify("clientDataJSON")), "bad_request");
  });
  it("an empty JSON object (both fields missing) → 400 bad_request", async () => {
    await expectError(await postJson("{}"), "bad_request");
  });
  it("attestationObject missing → 400 bad_request", async () => {
    await expectError(await postJson(JSON.stringify({ clientDataJSON: clientData({}) })), "bad_request");
  });
  it("clientDataJSON missing → 400 bad_request", async () => {
    await expectError(await postJson(JSON.stringify({ attestationObject: someBase64Url })), "bad_request");
  });
  it("fields of the wrong type (number, object) → 400 bad_request", async () => {
    await expectError(await postJson(JSON.stringify({ clientDataJSON: 12345, attestationObject: { a: 1 } })), "bad_request");
  });
  it("an empty string → 400 bad_request", async () => {
    await expectError(await postJson(JSON.stringify({ clientDataJSON: "", attestationObject: someBase64Url })), "bad_request");
  });
  it("standard base64 with + and / → 400 bad_request", async () => {
    await expectError(await postJson(JSON.stringify({ clientDataJSON: "ab+/cd+/", attestationObject: someBase64Url })), "bad_request");
  });
  it("base64url with = padding → 400 bad_request", async () => {
    await expectError(await postJson(JSON.stringify({ clientDataJSON: clientData({}), attestationObject: "YQ==" })), "bad_request");
  });
  it("a base64url string of impossible length (4n+1) → 400 bad_request", async () => {
    await expectError(await postJson(JSON.stringify({ clientDataJSON: "abcde", attestationObject: someBase64Url })), "bad_request");
  });
  it("non-ASCII and control characters → 400 bad_request", async () => {
    await expectError(await postJson(JSON.stringify({ clientDataJSON: "é\u0000\u202e", attestationObject: someBase64Url })), "bad_request");
  });
  it("a 3000-character clientDataJSON → 400 bad_request", async () => {
    await expectError(await postJson(JSON.stringify({ clientDataJSON: "A".repeat(3000), attestationObject: someBase64Url })), "bad_request");
  });
  it("a 1 MB attestationObject → 413 body_too_large, refused before it is read", async () => {
    await expectError(await postJson(JSON.stringify({ clientDataJSON: clientData({}), attestationObject: "A".repeat(1024 * 1024) })), "body_too_large");
  });
  it("a text/plain body → 415 unsupported_media_type", async () => {
    await expectError(await postJson(JSON.stringify({ clientDataJSON: clientData({}), attestationObject: someBase64Url }), "text/plain"), "unsupported_media_type");
  });
  it("clientDataJSON that is not JSON → 400 client_data_malformed", async () => {
    await expectError(await postJson(JSON.stringify({ clientDataJSON: toBase64Url(randomBytes(100, 10)), attestationObject: someBase64Url })), "client_data_malformed");
  });
  it("clientDataJSON without a challenge → 400 client_data_malformed", async () => {
    await expectError(await postJson(JSON.stringify({ clientDataJSON: clientData({ challenge: undefined }), attestationObject: someBase64Url })), "client_data_malformed");
  });
  it("clientDataJSON of type webauthn.get → 422 client_data_type_mismatch", async () => {
    await expectError(await postJson(JSON.stringify({ clientDataJSON: clientData({ type: "webauthn.get" }), attestationObject: someBase64Url })), "client_data_type_mismatch");
  });
  it("clientDataJSON for another origin → 422 origin_mismatch", async () => {
    await expectError(await postJson(JSON.stringify({ clientDataJSON: clientData({ origin: "https://evil.example" }), attestationObject: someBase64Url })), "origin_mismatch");
  });
  it("a valid-looking clientDataJSON with a challenge never issued → 400 registration_challenge_invalid", async () => {
    await expectError(await postJson(JSON.stringify({ clientDataJSON: clientData({}), attestationObject: someBase64Url })), "registration_challenge_invalid");
  });
  it("a challenge that is not base64url → 400 registration_challenge_invalid", async () => {
    await expectError(await postJson(JSON.stringify({ clientDataJSON: clientData({ challenge: "not base64url!" }), attestationObject: someBase64Url })), "registration_challenge_invalid");
  });
  it("an issued challenge with a random attestationObject → 400 attestation_malformed", async () => {
    await expectError(await postJson(JSON.stringify({ clientDataJSON: await issuedClientData(), attestationObject: toBase64Url(randomBytes(700, 11)) })), "attestation_malformed");
  });
  it("an issued challenge with an attestationObject declaring 2^64-1 bytes → 400 attestation_malformed", async () => {
    const attestationObject = toBase64Url(Uint8Array.of(0x5b, ...new Uint8Array(8).fill(0xff)));
    await expectError(await postJson(JSON.stringify({ clientDataJSON: await issuedClientData(), attestationObject })), "attestation_malformed");
  });
  it("an issued challenge with an attestationObject of 10000 nested arrays → 400 attestation_malformed", async () => {
    await expectError(await postJson(JSON.stringify({ clientDataJSON: await issuedClientData(), attestationObject: toBase64Url(nestedArrays(10_000)) })), "attestation_malformed");
  });
  it("an issued challenge with an attestationObject that is the wrong map → 400 attestation_malformed", async () => {
    const attestationObject = toBase64Url(encodeCanonical(new Map<string, CborValue>([["fmt", "packed"], ["authData", new Uint8Array(37)]])));
    await expectError(await postJson(JSON.stringify({ clientDataJSON: await issuedClientData(), attestationObject })), "attestation_malformed");
  });
  it('an issued challenge with a "none" attestation → 422 attestation_format_unsupported', async () => {
    const attestationObject = toBase64Url(
      encodeCanonical(new Map<string, CborValue>([["fmt", "none"], ["attStmt", new Map()], ["authData", new Uint8Array(37)]])),
    );
    await expectError(await postJson(JSON.stringify({ clientDataJSON: await issuedClientData(), attestationObject })), "attestation_format_unsupported");
  });
  it("a challenge is used up by a failed registration → 400 registration_challenge_invalid on reuse", async () => {
    const clientDataJSON = await issuedClientData();
    await expectError(await postJson(JSON.stringify({ clientDataJSON, attestationObject: toBase64Url(randomBytes(700, 12)) })), "attestation_malformed");
    await expectError(await postJson(JSON.stringify({ clientDataJSON, attestationObject: toBase64Url(randomBytes(700, 12)) })), "registration_challenge_invalid");
  });
});

// ---------------------------------------------------------------------------
// Lookups and routes.

const garbageIds: [string, string][] = [
  ["a short word", "nope"],
  ["SQL", encodeURIComponent("' OR 1=1 --")],
  ["a path traversal", "..%2F..%2Fetc%2Fpasswd"],
  ["a NUL byte", "%00"],
  ["malformed percent-encoding", "%E0%A4%A"],
  ["4000 characters", "A".repeat(4000)],
  ["non-ASCII", encodeURIComponent("ünïcödé-ünïcödé-ünïcödé")],
];

describe("GET /v1/captures/:id with garbage → 404 not_found", () => {
  for (const [name, id] of [...garbageIds, ["a well-formed id that was never recorded", "A".repeat(24)] as [string, string]]) {
    it(name, async () => {
      await expectError(await fetch(`${url}/v1/captures/${id}`), "not_found");
    });
  }
});

describe("GET /v1/credentials/:id/status with garbage → 404 not_found", () => {
  for (const [name, id] of [...garbageIds, ["a well-formed id that was never registered", "A".repeat(22)] as [string, string]]) {
    it(name, async () => {
      await expectError(await fetch(`${url}/v1/credentials/${id}/status`), "not_found");
    });
  }
});

describe("unknown routes → 404 not_found", () => {
  const routes: [method: string, path: string][] = [
    ["GET", "/v1/nope"],
    ["GET", "/nope"],
    ["GET", "/assets/nope.js"],
    ["GET", "/c/not-a-capture-id"],
    ["GET", "/v2/captures"],
    ["GET", "/v1/captures"],
    ["GET", "/v1/provenance/check"],
    ["GET", "/v1/devices/register"],
    ["POST", "/v1/captures/AAAAAAAAAAAAAAAAAAAAAAAA"],
    ["PUT", "/v1/captures"],
    ["DELETE", "/v1/captures/<a stored capture>"],
    ["POST", "/v1/credentials/AAAAAAAAAAAAAAAAAAAAAA/status"],
  ];
  for (const [method, path] of routes) {
    it(`${method} ${path}`, async () => {
      const resolved = path.replace("<a stored capture>", captureIdFor(sealed().recordHash));
      await expectError(await fetch(`${url}${resolved}`, { method }), "not_found");
    });
  }
});

// ---------------------------------------------------------------------------

describe("after every hostile request", () => {
  it("the stored captures still read back and check as authentic", async () => {
    for (const item of synced) {
      const response = await fetch(`${url}/v1/captures/${captureIdFor(item.sealed.recordHash)}`);
      assert.equal(response.status, 200);
      const check = await checkPhoto(world.verifier, item.sealed.jpeg);
      assert.equal(check.status, 200);
      assert.equal(check.body.verdict, "authentic");
    }
    const status = await fetch(`${url}/v1/credentials/${toBase64Url(synced[0]!.sealed.record.credentialId)}/status`);
    assert.equal(status.status, 200);
    assert.equal(((await status.json()) as { flagged: boolean }).flagged, false);
  });
});

// ---------------------------------------------------------------------------
// Keep-alive: a refused request must not break the connection it came on.

/** Requests over one keep-alive connection, as a camera's HTTP client makes them. */
function oneConnection() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const { hostname, port } = new URL(url);
  const request = (method: string, path: string, headers: Record<string, string> = {}, body?: Uint8Array) =>
    new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
      const sent = http.request({ host: hostname, port, method, path, headers, agent, timeout: 5000 }, (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode!, connection: response.headers.connection, body: text }));
      });
      sent.on("error", reject);
      sent.on("timeout", () => sent.destroy(new Error("timed out")));
      sent.end(body);
    });
  return { request, close: () => agent.destroy() };
}

describe("keep-alive connections survive refused bodies", () => {
  const refusals: [name: string, path: string, contentType: string, size: number, code: ErrorCode][] = [
    ["POST /v1/captures: 2 MB over maxBatchBytes → 413", "/v1/captures", "image/jpeg", 2 * MAX_BATCH_BYTES, "body_too_large"],
    ["POST /v1/provenance/check: 1 MB over its limit → 413", "/v1/provenance/check", "image/jpeg", 4 * MAX_PHOTO_BYTES, "body_too_large"],
    ["POST /v1/captures: 1 MB of text/plain (within maxBatchBytes) → 415", "/v1/captures", "text/plain", MAX_BATCH_BYTES, "unsupported_media_type"],
  ];
  for (const [name, path, contentType, size, code] of refusals) {
    it(`${name}, then the next request on the same connection is answered`, async () => {
      const connection = oneConnection();
      try {
        const refused = await connection.request("POST", path, { "content-type": contentType, "content-length": String(size) }, new Uint8Array(size));
        assert.equal(refused.status, STATUS[code]);
        assert.equal(JSON.parse(refused.body).error.code, code);
        const next = await connection.request("GET", "/healthz").catch((error: Error) => error);
        assert.ok(
          !(next instanceof Error),
          `the next request failed with "${String(next)}" although the refusal said Connection: ${refused.connection}`,
        );
        assert.equal(next.status, 200);
      } finally {
        connection.close();
      }
    });
  }
});
