import assert from "node:assert/strict";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { readSensor } from "../../device/sensor.ts";
import { readJpegLayout } from "../../src/jpeg/segments.ts";
import { runCli } from "../support/cli.ts";
import { exiftool, rewriteRecord } from "../support/tamper.ts";
import { type World, capture, createWorld } from "../support/world.ts";

let world: World;
let authentic: string;

before(async () => {
  world = await createWorld();
  const camera = await world.newCamera("SN-CLI");
  authentic = (await capture(camera, 1)).file;
});
after(() => world.close());

async function variant(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(world.dir, name);
  await writeFile(path, bytes);
  return path;
}

const verify = (...args: string[]) => runCli(["verify", ...args, "--server", world.verifier.url]);

test("exit 1 for an altered photo, with the reason", async () => {
  const bytes = new Uint8Array(await readFile(authentic));
  let position = readJpegLayout(bytes).imageDataEnd - 100;
  while (bytes[position]! >= 0xfe || bytes[position - 1] === 0xff) position--;
  bytes[position] = bytes[position]! ^ 0x01;
  const { code, stdout } = await verify(await variant("altered.jpg", bytes));
  assert.equal(code, 1);
  assert.match(stdout, /ALTERED/);
  assert.match(stdout, /content_altered/);
});

test("exit 2 for a photo from a camera this verifier never registered", async () => {
  const elsewhere = await createWorld();
  try {
    const stranger = await elsewhere.newCamera("SN-ELSEWHERE");
    const { code, stdout } = await verify((await capture(stranger, 2)).file);
    assert.equal(code, 2);
    assert.match(stdout, /UNKNOWN DEVICE/);
  } finally {
    await elsewhere.close();
  }
});

test("exit 3 for a photo stripped of its record", async () => {
  const stripped = exiftool(new Uint8Array(await readFile(authentic)), ["-all="]);
  const { code, stdout } = await verify(await variant("stripped.jpg", stripped));
  assert.equal(code, 3);
  assert.match(stdout, /NO RECORD/);
});

test("exit 4 for a refused record, and the worst exit code over several photos", async () => {
  const bytes = new Uint8Array(await readFile(authentic));
  // Claim user presence: the record no longer matches the camera profile.
  const tampered = await variant(
    "refused.jpg",
    rewriteRecord(bytes, (record) => {
      const authenticatorData = record.authenticatorData.slice();
      authenticatorData[32] = 0x01;
      return { ...record, authenticatorData };
    }),
  );
  const refused = await verify(tampered, "--json");
  assert.equal(refused.code, 4);
  assert.equal(JSON.parse(refused.stdout).failure.code, "authenticator_data_malformed");
  const both = await verify(authentic, tampered, "--json");
  assert.equal(both.code, 4);
  assert.deepEqual(
    (JSON.parse(both.stdout) as { verdict: string }[]).map((verdict) => verdict.verdict),
    ["authentic", "invalid"],
  );
});

test("a file sealed through `device capture --import` is never called captured by the camera", async () => {
  const camera = await world.newCamera("SN-IMPORT");
  const plain = await readSensor({ width: 320, height: 240, seed: 5 });
  const source = await variant("handed-over.jpg", plain.jpeg);
  const sealed = await runCli(["device", "capture", "--dir", camera.paths.dir, "--import", source]);
  assert.equal(sealed.code, 0, sealed.stderr);
  assert.match(sealed.stdout, /counter 1, import/);
  const synced = await runCli(["device", "sync", "--dir", camera.paths.dir]);
  assert.equal(synced.code, 0, synced.stderr);
  assert.match(synced.stdout, /1 recorded/);
  const [file] = await readdir(camera.paths.captures);
  const { code, stdout } = await verify(join(camera.paths.captures, file!));
  assert.equal(code, 0);
  assert.match(stdout, /AUTHENTIC IMPORT/);
  assert.match(stdout, /imported file \(not captured by this camera\)/);
});

test("device commands on a directory without a camera say so, exit non-zero and create nothing", async () => {
  const missing = join(world.dir, "no-camera-here");
  for (const command of ["capture", "sync", "queue"]) {
    const { code, stderr } = await runCli(["device", command, "--dir", missing]);
    assert.equal(code, 70, command);
    assert.match(stderr, /holds no camera/);
  }
  await assert.rejects(readdir(missing), /ENOENT/);
  const usage = await runCli(["device", "capture"]);
  assert.equal(usage.code, 64);
  assert.match(usage.stderr, /--dir is required/);
});
