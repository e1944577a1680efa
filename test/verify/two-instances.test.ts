import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import { encodeCaptureBatch } from "../../src/record/capture-batch.ts";
import { type NodeVerifier, serveVerifier } from "../../verifier/node.ts";
import { type World, capture, createWorld } from "../support/world.ts";

let world: World;
let second: NodeVerifier;

before(async () => {
  world = await createWorld();
  // A second verifier instance on the same database, as behind a load balancer.
  second = await serveVerifier(world.verifier.services.config, 0);
});
after(async () => {
  await second.stop();
  await world.close();
});

const sync = async (verifier: NodeVerifier, photos: Uint8Array[]) => {
  const response = await fetch(`${verifier.url}/v1/captures`, {
    method: "POST",
    headers: { "content-type": "application/cbor" },
    body: encodeCaptureBatch(photos) as Uint8Array<ArrayBuffer>,
  });
  assert.equal(response.status, 200);
  return ((await response.json()) as { results: { status: string; code?: string }[] }).results;
};

test("two instances racing on the same batch record each capture exactly once", async () => {
  const camera = await world.newCamera();
  const photos: Uint8Array[] = [];
  for (let seed = 1; seed <= 6; seed++) photos.push(new Uint8Array(await readFile((await capture(camera, seed)).file)));
  const [one, two] = await Promise.all([sync(world.verifier, photos), sync(second, photos)]);
  for (let index = 0; index < photos.length; index++) {
    const statuses = [one[index]!.status, two[index]!.status].sort();
    assert.deepEqual(statuses, ["already_recorded", "recorded"], `photo ${index}: ${JSON.stringify([one[index], two[index]])}`);
  }
  const rows = (await world.verifier.services.db.execute("SELECT counter, chain_gap FROM captures ORDER BY counter")).rows;
  assert.deepEqual(rows.map((row) => Number(row.counter)), [1, 2, 3, 4, 5, 6]);
  assert.ok(rows.every((row) => Number(row.chain_gap) === 0));
});

test("a record replayed to the other instance with a different record under its nonce is refused there", async () => {
  const camera = await world.newCamera();
  const nonce = crypto.getRandomValues(new Uint8Array(16));
  const first = new Uint8Array(await readFile((await capture(camera, 7, { nonce })).file));
  const repeat = new Uint8Array(await readFile((await capture(camera, 8, { nonce })).file));
  assert.equal((await sync(world.verifier, [first]))[0]!.status, "recorded");
  const answer = (await sync(second, [repeat]))[0]!;
  assert.deepEqual([answer.status, answer.code], ["rejected", "nonce_replayed"]);
});
