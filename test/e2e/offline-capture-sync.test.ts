import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { syncQueue } from "../../device/sync.ts";
import { VerifierUnreachableError } from "../../src/http/verifier-client.ts";
import type { Camera } from "../../device/camera.ts";
import { runCli } from "../support/cli.ts";
import { type World, capture, createWorld } from "../support/world.ts";

let world: World;
let camera: Camera;
const files: string[] = [];

before(async () => {
  world = await createWorld();
  camera = await world.newCamera("SN-E2E-50");
});
after(() => world.close());

test("a registered camera seals 50 photos while the verifier is unreachable", async () => {
  for (let seed = 1; seed <= 50; seed++) files.push((await capture(camera, seed, { width: 320, height: 240 })).file);
  // Nothing listens on port 1: the camera is offline as far as it can tell.
  await assert.rejects(syncQueue(camera, { verifierUrl: "http://127.0.0.1:1" }), VerifierUnreachableError);
  const pending = (await camera.db.execute("SELECT COUNT(*) AS n FROM queue WHERE state = 'pending'")).rows[0]!;
  assert.equal(Number(pending.n), 50, "a failed sync leaves every capture queued");
});

test("on reconnect all 50 sync in order, each exactly once, with an unbroken chain", async () => {
  const report = await syncQueue(camera, { batchSize: 8 });
  assert.deepEqual({ recorded: report.recorded, already: report.alreadyRecorded, rejected: report.rejected, gaps: report.chainGaps }, {
    recorded: 50,
    already: 0,
    rejected: [],
    gaps: 0,
  });
  assert.equal(report.batches, 7);
  const queue = (await camera.db.execute("SELECT state, capture_id FROM queue ORDER BY seq")).rows;
  assert.ok(queue.every((row) => row.state === "synced"));

  const stored = (await world.verifier.services.db.execute("SELECT id, counter, chain_gap FROM captures ORDER BY received_at, counter")).rows;
  assert.equal(stored.length, 50);
  assert.deepEqual(
    stored.map((row) => Number(row.counter)),
    Array.from({ length: 50 }, (_, index) => index + 1),
  );
  assert.ok(stored.every((row) => Number(row.chain_gap) === 0));
  assert.deepEqual(
    stored.map((row) => String(row.id)),
    queue.map((row) => String(row.capture_id)),
  );

  const last = await (await fetch(`${world.verifier.url}/v1/captures/${String(queue[49]!.capture_id)}`)).json();
  assert.equal(last.chain.position, 50);
  assert.equal(last.chain.gapBefore, false);
  assert.equal(last.chain.gapAfter, null, "the latest capture has none after it");
  const middle = await (await fetch(`${world.verifier.url}/v1/captures/${String(queue[24]!.capture_id)}`)).json();
  assert.deepEqual([middle.chain.position, middle.chain.gapBefore, middle.chain.gapAfter], [25, false, false]);
  assert.equal(last.device.serial, "SN-E2E-50");
});

test("a second sync sends nothing", async () => {
  const report = await syncQueue(camera);
  assert.equal(report.batches, 0);
});

test("`snapseal verify` calls every one of the 50 authentic", async () => {
  const { code, stdout, stderr } = await runCli(["verify", ...files, "--server", world.verifier.url, "--json"]);
  assert.equal(code, 0, stderr);
  const verdicts = JSON.parse(stdout) as { file: string; verdict: string; device: { serial: string }; recorded: unknown }[];
  assert.equal(verdicts.length, 50);
  for (const [index, verdict] of verdicts.entries()) {
    assert.equal(verdict.file, files[index]);
    assert.equal(verdict.verdict, "authentic", verdict.file);
    assert.equal(verdict.device.serial, "SN-E2E-50");
    assert.ok(verdict.recorded, "recorded on the verifier");
  }
});

test("`snapseal verify` prints a human verdict", async () => {
  const { code, stdout } = await runCli(["verify", files[0]!, "--server", world.verifier.url]);
  assert.equal(code, 0);
  assert.match(stdout, /AUTHENTIC/);
  assert.match(stdout, /serial SN-E2E-50/);
  assert.match(stdout, /camera sensor/);
});

test("`snapseal verify` exits 69 when the verifier cannot be reached and 64 on bad usage", async () => {
  const unreachable = await runCli(["verify", files[0]!, "--server", "http://127.0.0.1:1"]);
  assert.equal(unreachable.code, 69);
  assert.match(unreachable.stderr, /cannot reach the verifier/);
  const usage = await runCli(["verify", "--no-such-flag", files[0]!]);
  assert.equal(usage.code, 64);
  const missing = await runCli(["verify", join(world.dir, "missing.jpg"), "--server", world.verifier.url]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /ENOENT|no such file/);
});
