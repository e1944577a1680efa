// Thumbnails for the owner dashboard: made with sharp from the photo a camera
// syncs, stored once beside its record, listed with their size and served to
// the camera's owner only. A thumbnail that cannot be made never costs a capture.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import sharp from "sharp";
import type { Camera } from "../../device/camera.ts";
import { syncQueue } from "../../device/sync.ts";
import { type LoopbackServer, serveOnLoopback } from "../../edge/serve-loopback.ts";
import { fingerprintJpeg } from "../../edge/sharp-fingerprint.ts";
import { thumbnailJpeg } from "../../edge/sharp-thumbnail.ts";
import { SAME_PICTURE_MAX_DISTANCE, hammingDistance } from "../../src/jpeg/fingerprint.ts";
import { type StartedVerifier, startVerifier } from "../../verifier/start.ts";
import { ThumbnailQueue } from "../../verifier/thumbnail-queue.ts";
import { captureAndSync, lifecycleWorld, pairWith } from "../lifecycle/lifecycle-world.ts";
import { OwnerClient, type TestClock } from "../support/owner-client.ts";
import { type World, capture } from "../support/world.ts";

let world: World;
let clock: TestClock;
let owner: OwnerClient;
let camera: Camera;
let deviceId: string;

before(async () => {
  ({ world, clock } = await lifecycleWorld());
  owner = await OwnerClient.signUpAndEnrol(world.verifier.url, clock);
  camera = await world.newCamera();
  deviceId = await pairWith(owner, camera, "Garden");
});
after(() => world.close());

/** The owner's browser fetching an image: the session cookie, bytes kept as bytes. */
async function fetchAs(client: OwnerClient, path: string, headers: Record<string, string> = {}): Promise<Response> {
  const cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  return fetch(new URL(path, client.baseUrl), { headers: { cookie, ...headers } });
}

const thumbnailPath = (device: string, captureId: string) => `/v1/owner/devices/${device}/captures/${captureId}/thumbnail`;

test("a photo synced by the camera gets a thumbnail of that picture, listed with its size and served to its owner", async () => {
  const queued = await capture(camera, 11, { capturedAt: clock.now(), width: 640, height: 480 });
  const report = await syncQueue(camera);
  assert.equal(report.recorded, 1);
  const captureId = String((await camera.db.execute({ sql: "SELECT capture_id FROM queue WHERE seq = ?", args: [queued.seq] })).rows[0]!.capture_id);

  const listed = await owner.request("GET", `/v1/owner/devices/${deviceId}/captures`);
  assert.equal(listed.status, 200);
  const item = listed.body.captures.find((entry: { id: string }) => entry.id === captureId);
  assert.deepEqual(item.thumbnail, { width: 480, height: 360 }, "fitted within 480x480, aspect kept");

  const served = await fetchAs(owner, thumbnailPath(deviceId, captureId));
  assert.equal(served.status, 200);
  assert.equal(served.headers.get("content-type"), "image/jpeg");
  assert.equal(served.headers.get("cache-control"), "private, max-age=31536000, immutable");
  const etag = served.headers.get("etag");
  assert.match(etag ?? "", /^"[A-Za-z0-9_-]+"$/);
  const jpeg = new Uint8Array(await served.arrayBuffer());
  const metadata = await sharp(jpeg).metadata();
  assert.deepEqual([metadata.format, metadata.width, metadata.height], ["jpeg", 480, 360]);
  const original = new Uint8Array(await readFile(queued.file));
  const distance = hammingDistance(await fingerprintJpeg(jpeg), await fingerprintJpeg(original));
  assert.ok(distance <= SAME_PICTURE_MAX_DISTANCE, `the thumbnail shows the synced picture (dHash distance ${distance})`);

  const revalidated = await fetchAs(owner, thumbnailPath(deviceId, captureId), { "if-none-match": etag! });
  assert.equal(revalidated.status, 304);

  const signedOut = await fetch(new URL(thumbnailPath(deviceId, captureId), world.verifier.url));
  assert.equal(signedOut.status, 401);
});

test("another owner gets 404 for a thumbnail of a camera that is not theirs, as for one that does not exist", async () => {
  const { captureId } = await captureAndSync(camera, clock, 12);
  assert.ok(captureId);
  assert.equal((await fetchAs(owner, thumbnailPath(deviceId, captureId))).status, 200);
  const stranger = await OwnerClient.signUpAndEnrol(world.verifier.url, clock);
  const refused = await fetchAs(stranger, thumbnailPath(deviceId, captureId));
  assert.equal(refused.status, 404);
  assert.equal(((await refused.json()) as { error: { code: string } }).error.code, "not_found");
});

test("a capture id that is not one of this camera's captures gets 404", async () => {
  const { captureId } = await captureAndSync(camera, clock, 13);
  assert.ok(captureId);
  const otherCamera = await world.newCamera();
  const otherDeviceId = await pairWith(owner, otherCamera, "Porch");
  for (const path of [
    thumbnailPath(otherDeviceId, captureId),
    thumbnailPath(deviceId, "A".repeat(24)),
    thumbnailPath(deviceId, "not-a-capture-id"),
    thumbnailPath(deviceId, `${captureId}x`),
  ]) {
    const answer = await fetchAs(owner, path);
    assert.equal(answer.status, 404, path);
    assert.equal(((await answer.json()) as { error: { code: string } }).error.code, "not_found", path);
  }
});

test("a capture whose thumbnail could not be made is still recorded, listed without one", async () => {
  // A second instance on the same database whose thumbnailer fails: sharp,
  // handed only the first bytes of each photo, cannot decode it.
  const failing: StartedVerifier = await startVerifier(world.verifier.services.config, {
    now: clock.now,
    fingerprint: fingerprintJpeg,
    thumbnail: (jpeg) => thumbnailJpeg(jpeg.subarray(0, 400)),
  });
  const server: LoopbackServer = await serveOnLoopback(failing.app.fetch, 0, failing.close);
  try {
    const queued = await capture(camera, 14, { capturedAt: clock.now(), width: 160, height: 120 });
    const report = await syncQueue(camera, { verifierUrl: server.url });
    assert.deepEqual([report.recorded, report.rejected.length], [1, 0]);
    const captureId = String((await camera.db.execute({ sql: "SELECT capture_id FROM queue WHERE seq = ?", args: [queued.seq] })).rows[0]!.capture_id);
    const listed = await owner.request("GET", `/v1/owner/devices/${deviceId}/captures`);
    const item = listed.body.captures.find((entry: { id: string }) => entry.id === captureId);
    assert.ok(item, "the capture is recorded");
    assert.equal(item.thumbnail, null);
    assert.equal((await fetchAs(owner, thumbnailPath(deviceId, captureId))).status, 404);
    const checked = await fetch(`${world.verifier.url}/v1/captures/${captureId}`);
    assert.equal(checked.status, 200);
  } finally {
    await server.stop();
  }
});

test("the thumbnail queue waits for syncs to pass, and is bounded: a photo past its bound, or one that comes after it closed, gets no thumbnail", async () => {
  // Record three photos through an instance with no thumbnailer, then hand them to a queue of our own.
  const plain: StartedVerifier = await startVerifier(world.verifier.services.config, { now: clock.now, fingerprint: fingerprintJpeg });
  const server: LoopbackServer = await serveOnLoopback(plain.app.fetch, 0, plain.close);
  let recorded: { captureId: string; jpeg: Uint8Array }[];
  try {
    const queued = [];
    for (const seed of [31, 32, 33]) queued.push(await capture(camera, seed, { capturedAt: clock.now(), width: 160, height: 120 }));
    assert.equal((await syncQueue(camera, { verifierUrl: server.url })).recorded, 3);
    recorded = await Promise.all(
      queued.map(async ({ seq, file }) => ({
        captureId: String((await camera.db.execute({ sql: "SELECT capture_id FROM queue WHERE seq = ?", args: [seq] })).rows[0]!.capture_id),
        jpeg: new Uint8Array(await readFile(file)),
      })),
    );
  } finally {
    await server.stop();
  }
  const [first, second, third] = recorded;
  let made = 0;
  const queue = new ThumbnailQueue(
    world.verifier.services.db,
    (jpeg) => {
      made++;
      return thumbnailJpeg(jpeg);
    },
    first.jpeg.length + second.jpeg.length - 1,
  );
  const endOfSync = queue.syncing();
  queue.enqueue({ captureId: first.captureId, credentialId: deviceId }, first.jpeg);
  // The first is still queued, so the second would pass the bound.
  queue.enqueue({ captureId: second.captureId, credentialId: deviceId }, second.jpeg);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(made, 0, "no thumbnail is made while a sync is being handled");
  endOfSync();
  await queue.settled(deviceId);
  assert.equal(made, 1);
  queue.close();
  queue.enqueue({ captureId: third.captureId, credentialId: deviceId }, third.jpeg);
  await queue.settled(deviceId);

  const listed = await owner.request("GET", `/v1/owner/devices/${deviceId}/captures?limit=200`);
  const thumbnailOf = (captureId: string) => listed.body.captures.find((item: { id: string }) => item.id === captureId)?.thumbnail;
  assert.deepEqual(thumbnailOf(first.captureId), { width: 160, height: 120 });
  assert.equal(thumbnailOf(second.captureId), null);
  assert.equal(thumbnailOf(third.captureId), null);
});
