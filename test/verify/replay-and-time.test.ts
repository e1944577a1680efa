import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type Camera, openCamera } from "../../device/camera.ts";
import { makeDurable } from "../../device/camera-db.ts";
import { syncQueue } from "../../device/sync.ts";
import { type World, capture, checkPhoto, createWorld, postBatch } from "../support/world.ts";

const DAY = 86_400_000;
let world: World;

before(async () => {
  world = await createWorld();
});
after(() => world.close());

const photoOf = async (queued: { file: string }) => new Uint8Array(await readFile(queued.file));
const countCaptures = async () => Number((await world.verifier.services.db.execute("SELECT COUNT(*) AS n FROM captures")).rows[0]!.n);

test("an identical record re-sent, from any client, is answered as already recorded and stored once", async () => {
  const camera = await world.newCamera();
  const photo = await photoOf(await capture(camera, 1));
  const first = await postBatch(world.verifier, [photo]);
  assert.equal(first.body.results[0].status, "recorded");
  const before = await countCaptures();
  const again = await postBatch(world.verifier, [photo, photo]);
  assert.equal(again.status, 200);
  assert.deepEqual(
    again.body.results.map((result: { status: string; captureId: string }) => [result.status, result.captureId]),
    [
      ["already_recorded", first.body.results[0].captureId],
      ["already_recorded", first.body.results[0].captureId],
    ],
  );
  assert.equal(await countCaptures(), before);
});

test("a different record with a nonce already seen is refused", async () => {
  const camera = await world.newCamera();
  const nonce = crypto.getRandomValues(new Uint8Array(16));
  const original = await photoOf(await capture(camera, 2, { nonce }));
  const repeat = await photoOf(await capture(camera, 3, { nonce }));
  const answer = await postBatch(world.verifier, [original, repeat]);
  assert.equal(answer.body.results[0].status, "recorded");
  assert.equal(answer.body.results[1].status, "rejected");
  assert.equal(answer.body.results[1].code, "nonce_replayed");
});

test("a cloned authenticator sending an old counter is refused and the credential flagged", async () => {
  const camera = await world.newCamera("SN-CLONED");
  for (let seed = 10; seed < 12; seed++) await capture(camera, seed);
  assert.equal((await syncQueue(camera)).recorded, 2);

  // The clone: an exact copy of the camera's secure element and queue at this moment.
  const cloneDir = join(world.dir, "clone");
  await makeDurable(camera.db);
  mkdirSync(join(cloneDir, "captures"), { recursive: true });
  await camera.db.execute(`VACUUM INTO '${join(cloneDir, "camera.db")}'`);
  const clone: Camera = await openCamera(cloneDir);
  try {
    await capture(camera, 12);
    await capture(camera, 13);
    assert.equal((await syncQueue(camera)).recorded, 2);

    await capture(clone, 14);
    const report = await syncQueue(clone, { verifierUrl: world.verifier.url });
    assert.equal(report.rejected.length, 1);
    assert.equal(report.rejected[0]!.code, "counter_regression");
  } finally {
    clone.db.close();
  }
  const credentialId = (await world.verifier.services.db.execute("SELECT id FROM credentials WHERE serial = 'SN-CLONED'")).rows[0]!.id;
  const status = await (await fetch(`${world.verifier.url}/v1/credentials/${String(credentialId)}/status`)).json();
  assert.equal(status.flagged, true);
  assert.match(status.flagReason, /counter 3 after 4/);
});

test("a withheld capture shows up as a gap in the chain", async () => {
  const camera = await world.newCamera();
  const first = await photoOf(await capture(camera, 20));
  await capture(camera, 21);
  const third = await photoOf(await capture(camera, 22));
  const answer = await postBatch(world.verifier, [first, third]);
  assert.deepEqual(
    answer.body.results.map((result: { status: string; chainGap: boolean }) => [result.status, result.chainGap]),
    [
      ["recorded", false],
      ["recorded", true],
    ],
  );
  const stored = await (await fetch(`${world.verifier.url}/v1/captures/${answer.body.results[1].captureId}`)).json();
  assert.deepEqual([stored.chain.gapBefore, stored.chain.gapAfter], [true, null]);
  // Seen from the capture before it, the same gap is after it.
  const before = await (await fetch(`${world.verifier.url}/v1/captures/${answer.body.results[0].captureId}`)).json();
  assert.deepEqual([before.chain.gapBefore, before.chain.gapAfter, before.chain.nextId], [false, true, answer.body.results[1].captureId]);
});

test("a capture 40 days old is refused with the 30-day offline window", async () => {
  const camera = await world.newCamera();
  await capture(camera, 30, { capturedAt: Date.now() - 40 * DAY });
  const report = await syncQueue(camera);
  assert.equal(report.rejected[0]?.code, "capture_too_old");
});

test("a capture time in the future is refused", async () => {
  const camera = await world.newCamera();
  await capture(camera, 31, { capturedAt: Date.now() + 60 * 60_000 });
  const report = await syncQueue(camera);
  assert.equal(report.rejected[0]?.code, "capture_in_future");
});

test("a capture dated before the server time anchor it carries is refused", async () => {
  const camera = await world.newCamera();
  await capture(camera, 32, { capturedAt: Date.now() - DAY });
  const report = await syncQueue(camera);
  assert.equal(report.rejected[0]?.code, "capture_before_anchor");
});

test("a forged time anchor is refused", async () => {
  const camera = await world.newCamera();
  await camera.db.execute("UPDATE time_anchor SET t = t - 1000");
  await capture(camera, 33);
  const report = await syncQueue(camera);
  assert.equal(report.rejected[0]?.code, "anchor_invalid");
});

test("the offline window is configuration", async () => {
  const strict = await createWorld({ offlineWindowMs: DAY });
  try {
    const camera = await strict.newCamera();
    await camera.db.execute("DELETE FROM time_anchor");
    await capture(camera, 34, { capturedAt: Date.now() - 2 * DAY });
    assert.equal((await syncQueue(camera)).rejected[0]?.code, "capture_too_old");
  } finally {
    await strict.close();
  }
});

test("after revocation, new captures are refused and earlier recorded ones still check out", async () => {
  const camera = await world.newCamera("SN-REVOKED");
  const before = await photoOf(await capture(camera, 40));
  assert.equal((await syncQueue(camera)).recorded, 1);
  const unsynced = await photoOf(await capture(camera, 41));
  // No endpoint revokes yet (owners arrive later); the rule is the verifier's already.
  await world.verifier.services.db.execute({ sql: "UPDATE credentials SET revoked_at = ? WHERE serial = 'SN-REVOKED'", args: [Date.now()] });
  await capture(camera, 42);
  const report = await syncQueue(camera);
  assert.deepEqual(
    report.rejected.map((rejection) => rejection.code),
    ["credential_revoked", "credential_revoked"],
    "captured before the revocation but never received, or captured after: both refused",
  );
  const recorded = await checkPhoto(world.verifier, before);
  assert.equal(recorded.body.verdict, "authentic", "sealed and received before the revocation");
  assert.ok(recorded.body.device.revokedAt);
  const late = await checkPhoto(world.verifier, unsynced);
  assert.equal(late.body.failure.code, "credential_revoked");
});
