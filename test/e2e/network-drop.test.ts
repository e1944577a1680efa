import assert from "node:assert/strict";
import { type IncomingMessage, type ServerResponse, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import type { Camera } from "../../device/camera.ts";
import { syncQueue } from "../../device/sync.ts";
import { VerifierUnreachableError } from "../../src/http/verifier-client.ts";
import { type World, capture, createWorld } from "../support/world.ts";

/**
 * A proxy in front of the verifier that, while `dropAnswers` is set, forwards
 * each request, lets the verifier finish storing it, and then kills the
 * connection instead of passing the answer on: the lost ack of scenario 2.
 */
function lossyProxy(target: string) {
  const state = { dropAnswers: true, forwarded: 0 };
  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const upstream = request(`${target}${incoming.url}`, { method: incoming.method, headers: incoming.headers }, (answer) => {
      state.forwarded++;
      if (state.dropAnswers) {
        answer.resume();
        answer.on("end", () => outgoing.socket?.destroy());
        return;
      }
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    incoming.pipe(upstream);
  });
  return new Promise<{ url: string; state: typeof state; close: () => Promise<void> }>((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        state,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

let world: World;
let camera: Camera;

before(async () => {
  world = await createWorld();
  camera = await world.newCamera();
});
after(() => world.close());

test("a connection killed after the verifier stored a batch loses nothing and records nothing twice", async () => {
  for (let seed = 1; seed <= 12; seed++) await capture(camera, seed, { width: 320, height: 240 });
  const proxy = await lossyProxy(world.verifier.url);
  try {
    await assert.rejects(syncQueue(camera, { verifierUrl: proxy.url, batchSize: 5 }), VerifierUnreachableError);
    assert.equal(proxy.state.forwarded, 1, "the first batch reached the verifier");
    const stored = await world.verifier.services.db.execute("SELECT COUNT(*) AS n FROM captures");
    assert.equal(Number(stored.rows[0]!.n), 5, "the verifier stored the batch whose answer was lost");
    const pending = await camera.db.execute("SELECT COUNT(*) AS n FROM queue WHERE state = 'pending'");
    assert.equal(Number(pending.rows[0]!.n), 12, "without an answer the camera keeps the batch queued");

    proxy.state.dropAnswers = false;
    const report = await syncQueue(camera, { verifierUrl: proxy.url, batchSize: 5 });
    assert.equal(report.alreadyRecorded, 5);
    assert.equal(report.recorded, 7);
    assert.deepEqual(report.rejected, []);
  } finally {
    await proxy.close();
  }
  const rows = (await world.verifier.services.db.execute("SELECT counter, chain_gap FROM captures ORDER BY counter")).rows;
  assert.deepEqual(
    rows.map((row) => Number(row.counter)),
    Array.from({ length: 12 }, (_, index) => index + 1),
  );
  assert.ok(rows.every((row) => Number(row.chain_gap) === 0), "the retry kept the chain intact");
  const synced = await camera.db.execute("SELECT COUNT(*) AS n FROM queue WHERE state = 'synced' AND capture_id IS NOT NULL");
  assert.equal(Number(synced.rows[0]!.n), 12);
});
