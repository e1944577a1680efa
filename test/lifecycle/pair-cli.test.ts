// Acceptance, end to end: an owner signs up and enrols TOTP; a camera is
// manufactured and registered; `snapseal device pair` (a real child process)
// prints a code and polls; the owner enters it; the CLI names the owner and
// exits 0; the camera captures and syncs with the CLI; the owner's captures
// list shows them, newest first; `snapseal device status` says owned + valid.
//
// The verifier runs on a TestClock (TOTP codes one step apart, whatever second
// the test starts at); captures are stamped with that clock, since the time
// anchor the camera carries comes from it.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import { type Camera, activeCredential } from "../../device/camera.ts";
import { toBase64Url } from "../../src/bytes.ts";
import { runCli, startCli } from "../support/cli.ts";
import { OwnerClient, TestClock } from "../support/owner-client.ts";
import { type World, checkPhoto, createWorld } from "../support/world.ts";

const clock = new TestClock();
let world: World;
let owner: OwnerClient;
let camera: Camera;
let credentialId: string;

before(async () => {
  world = await createWorld({ passwordCostLog2: 10, pairingPollIntervalMs: 50 }, { now: clock.now });
  owner = await OwnerClient.signUpAndEnrol(world.verifier.url, clock, { displayName: "Alice Example" });
  camera = await world.newCamera("SN-PAIR-CLI");
  credentialId = toBase64Url((await activeCredential(camera.db))!.credentialId);
});
after(() => world.close());

test("`snapseal device pair` prints a code, the owner enters it, and the CLI exits 0 naming the owner", async () => {
  const pairing = startCli(["device", "pair", "--dir", camera.paths.dir]);
  const [, code] = await pairing.output(/^ {4}([0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5})$/m);
  const claimed = await owner.request("POST", "/v1/owner/devices/pair", { code, name: "Kitchen window" });
  assert.equal(claimed.status, 201, JSON.stringify(claimed.body));
  assert.equal(claimed.body.device.id, credentialId);
  assert.equal(claimed.body.device.name, "Kitchen window");
  assert.equal(claimed.body.device.status, "owned");
  const done = await pairing.exited;
  assert.equal(done.code, 0, done.stderr);
  assert.match(done.stdout, /Paired: this camera now belongs to Alice Example\./);
});

test("the camera captures and syncs with the CLI; the owner's captures list shows them, newest first", async () => {
  const capturedAt = new Date(clock.now()).toISOString();
  const captured = await runCli(["device", "capture", "--dir", camera.paths.dir, "--count", "3", "--width", "320", "--height", "240", "--captured-at", capturedAt]);
  assert.equal(captured.code, 0, captured.stderr);
  const synced = await runCli(["device", "sync", "--dir", camera.paths.dir]);
  assert.equal(synced.code, 0, synced.stderr);
  assert.match(synced.stdout, /synced: 3 recorded/);

  const listed = await owner.request("GET", `/v1/owner/devices/${credentialId}/captures`);
  assert.equal(listed.status, 200);
  const queue = (await camera.db.execute("SELECT capture_id, counter FROM queue ORDER BY seq DESC")).rows;
  assert.deepEqual(
    listed.body.captures.map((item: { id: string; counter: number; chainGap: boolean; source: string; capturedAt: string }) => [item.id, item.counter, item.chainGap, item.source, item.capturedAt]),
    queue.map((row) => [String(row.capture_id), Number(row.counter), false, "sensor", capturedAt]),
  );
  const device = await owner.request("GET", `/v1/owner/devices/${credentialId}`);
  assert.equal(device.body.device.captureCount, 3);

  const file = String((await camera.db.execute("SELECT file FROM queue ORDER BY seq LIMIT 1")).rows[0]!.file);
  const checked = await checkPhoto(world.verifier, new Uint8Array(await readFile(`${camera.paths.captures}/${file}`)));
  assert.equal(checked.body.verdict, "authentic");
  assert.deepEqual(checked.body.owner, { displayName: "Alice Example" });
});

test("`snapseal device status` reports the camera owned by its owner and valid", async () => {
  const human = await runCli(["device", "status", "--dir", camera.paths.dir]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /owner {7}Alice Example/);
  assert.match(human.stdout, /status {6}valid/);
  const json = await runCli(["device", "status", "--dir", camera.paths.dir, "--json"]);
  assert.equal(json.code, 0, json.stderr);
  const status = JSON.parse(json.stdout);
  assert.equal(status.registered, true);
  assert.equal(status.credentialId, credentialId);
  assert.equal(status.status, "valid");
  assert.deepEqual(status.owner, { displayName: "Alice Example" });
});
