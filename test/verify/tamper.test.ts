import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import sharp from "sharp";
import { type Camera, openCamera } from "../../device/camera.ts";
import { readSensor } from "../../device/sensor.ts";
import { concatBytes, fromUtf8, utf8 } from "../../src/bytes.ts";
import { signEs256 } from "../../src/crypto/es256.ts";
import { sha256 } from "../../src/crypto/sha256.ts";
import { embedRecord, extractRecord } from "../../src/jpeg/exif-record.ts";
import { readJpegLayout } from "../../src/jpeg/segments.ts";
import { decodeRecord } from "../../src/record/capture-record.ts";
import { decodePayload, encodePayload } from "../../src/record/payload.ts";
import { expectedChallenge } from "../../src/record/seal-record.ts";
import { exiftool, rewriteRecord } from "../support/tamper.ts";
import { type World, capture, checkPhoto, createWorld } from "../support/world.ts";

let world: World;
let camera: Camera;
let sealed: Uint8Array;

before(async () => {
  world = await createWorld();
  camera = await world.newCamera("SN-TAMPER");
  sealed = new Uint8Array(await readFile((await capture(camera, 7)).file));
});
after(() => world.close());

async function expectRefusal(jpeg: Uint8Array, verdict: string, code: string) {
  const { status, body } = await checkPhoto(world.verifier, jpeg);
  assert.equal(status, 200);
  assert.equal(body.failure?.code, code, JSON.stringify(body.failure));
  assert.equal(body.verdict, verdict);
}

test("the untouched photo is authentic", async () => {
  const { body } = await checkPhoto(world.verifier, sealed);
  assert.equal(body.verdict, "authentic");
  assert.equal(body.device.serial, "SN-TAMPER");
  assert.deepEqual(body.passed, ["parse", "credential", "binding", "signature", "content", "time"]);
});

test("one changed pixel, re-encoded: altered", async () => {
  const { data, info } = await sharp(sealed).raw().toBuffer({ resolveWithObject: true });
  const offset = (info.width * 100 + 200) * info.channels;
  data[offset] = data[offset]! ^ 0xff;
  const reencoded = new Uint8Array(await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).jpeg({ quality: 90 }).toBuffer());
  await expectRefusal(embedRecord(reencoded, extractRecord(sealed)!), "altered", "content_altered");
});

test("one flipped bit in the compressed scan data: altered", async () => {
  const tampered = sealed.slice();
  const { imageDataEnd } = readJpegLayout(tampered);
  // A byte inside the entropy-coded data that neither is nor becomes, nor follows, a marker prefix.
  let position = imageDataEnd - 200;
  while (tampered[position]! >= 0xfe || tampered[position - 1] === 0xff) position--;
  tampered[position] = tampered[position]! ^ 0x01;
  await expectRefusal(tampered, "altered", "content_altered");
});

test("a record moved from photo A into photo B: refused as transplanted", async () => {
  const other = await readSensor({ width: 640, height: 480, seed: 99 });
  await expectRefusal(embedRecord(other.jpeg, extractRecord(sealed)!), "invalid", "record_transplanted");
});

test("a changed payload field (capture time) breaks the challenge", async () => {
  const tampered = rewriteRecord(sealed, (record) => {
    const payload = decodePayload(record.payload);
    return { ...record, payload: encodePayload({ ...payload, capturedAt: payload.capturedAt - 3_600_000 }) };
  });
  await expectRefusal(tampered, "invalid", "challenge_mismatch");
});

test("a changed payload with a matching new challenge breaks the signature", async () => {
  const record = decodeRecord(extractRecord(sealed)!);
  const payload = encodePayload({ ...decodePayload(record.payload), source: "import" as const });
  const clientData = JSON.parse(fromUtf8(record.clientDataJSON)) as Record<string, unknown>;
  clientData.challenge = await expectedChallenge(payload);
  const tampered = rewriteRecord(sealed, () => ({ ...record, payload, clientDataJSON: utf8(JSON.stringify(clientData)) }));
  await expectRefusal(tampered, "invalid", "signature_invalid");
});

test("a signature by another key is refused", async () => {
  const intruder = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
  const record = decodeRecord(extractRecord(sealed)!);
  const signature = await signEs256(intruder.privateKey, concatBytes(record.authenticatorData, await sha256(record.clientDataJSON)));
  await expectRefusal(rewriteRecord(sealed, (original) => ({ ...original, signature })), "invalid", "signature_invalid");
});

test("a genuine signature for another origin is refused", async () => {
  const rogue = await world.newCamera("SN-ORIGIN");
  await rogue.db.execute("UPDATE credentials SET origin = 'https://evil.example'");
  const photo = new Uint8Array(await readFile((await capture(rogue, 8)).file));
  await expectRefusal(photo, "invalid", "origin_mismatch");
});

test("a genuine signature for another relying party is refused", async () => {
  const rogue = await world.newCamera("SN-RPID");
  await rogue.db.execute("UPDATE credentials SET rp_id = 'evil.example'");
  const photo = new Uint8Array(await readFile((await capture(rogue, 9)).file));
  await expectRefusal(photo, "invalid", "rp_id_mismatch");
});

test("a record claiming user presence (UP=1) is refused: cameras sign with nobody present", async () => {
  const tampered = rewriteRecord(sealed, (record) => {
    const authenticatorData = record.authenticatorData.slice();
    authenticatorData[32] = 0x01;
    return { ...record, authenticatorData };
  });
  await expectRefusal(tampered, "invalid", "authenticator_data_malformed");
});

test("a genuine signature over metadata naming another camera is refused", async () => {
  const rogue = await world.newCamera("SN-REAL");
  await rogue.db.execute("UPDATE identity SET serial = 'SN-SOMEONE-ELSE'");
  const reopened = await openCamera(rogue.paths.dir);
  try {
    const photo = new Uint8Array(await readFile((await capture(reopened, 11)).file));
    await expectRefusal(photo, "invalid", "device_mismatch");
  } finally {
    reopened.db.close();
  }
});

test("a record from a credential this verifier never registered: unknown device", async () => {
  const elsewhere = await createWorld();
  try {
    const stranger = await elsewhere.newCamera("SN-STRANGER");
    const photo = new Uint8Array(await readFile((await capture(stranger, 10)).file));
    await expectRefusal(photo, "unknown_device", "credential_unknown");
  } finally {
    await elsewhere.close();
  }
});

test("EXIF tags added by exiftool leave the photo authentic", async () => {
  const edited = exiftool(sealed, ["-Artist=Jane Doe", "-Copyright=CC-BY 4.0", "-ImageDescription=Harbour at dawn", "-GPSLatitude=53.55", "-GPSLatitudeRef=N"]);
  assert.notDeepEqual(edited, sealed);
  const { body } = await checkPhoto(world.verifier, edited);
  assert.equal(body.verdict, "authentic");
});

test("visible EXIF that contradicts or adds to the signed metadata is reported, and the photo stays authentic", async () => {
  const edited = exiftool(sealed, ["-Model=Fake Cam", "-GPSLatitude=53.55", "-GPSLatitudeRef=N", "-GPSLongitude=9.99", "-GPSLongitudeRef=W"]);
  const { body } = await checkPhoto(world.verifier, edited);
  assert.equal(body.verdict, "authentic");
  assert.deepEqual(body.exifDisagreements, [
    { field: "model", visible: "Fake Cam", signed: "Acme X1" },
    { field: "gps", visible: "53.55000, -9.99000", signed: null },
  ]);
  const untouched = await checkPhoto(world.verifier, sealed);
  assert.deepEqual(untouched.body.exifDisagreements, []);
});

test("a photo stripped of its metadata reports no record", async () => {
  const stripped = exiftool(sealed, ["-all="]);
  assert.equal(extractRecord(stripped), null);
  await expectRefusal(stripped, "no_record", "record_missing");
});

test("a photo that never had a record reports no record", async () => {
  const plain = await readSensor({ width: 64, height: 48, seed: 3 });
  await expectRefusal(plain.jpeg, "no_record", "record_missing");
});
