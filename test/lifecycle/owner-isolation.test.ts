// Acceptance: "An owner cannot see, rename, revoke or transfer another owner's
// device." Owner A asks about owner B's cameras on every owner route and gets
// 404 not_found, exactly as for a camera that does not exist (never 403, so
// existence does not leak), and nothing of B's changes.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { OwnerClient, type TestClock } from "../support/owner-client.ts";
import type { World } from "../support/world.ts";
import { captureAndSync, factoryResetAndRegister, lifecycleWorld, pairWith } from "./lifecycle-world.ts";

let world: World;
let clock: TestClock;
let alice: OwnerClient;
let bob: OwnerClient;
let bobsCamera: string;
let bobsHeld: string;
let alicesCamera: string;

const NOWHERE = "B".repeat(43);

before(async () => {
  ({ world, clock } = await lifecycleWorld());
  alice = await OwnerClient.signUpAndEnrol(world.verifier.url, clock, { displayName: "Alice" });
  bob = await OwnerClient.signUpAndEnrol(world.verifier.url, clock, { displayName: "Bob" });
  alicesCamera = await pairWith(alice, await world.newCamera(), "Alice's camera");
  const camera = await world.newCamera();
  bobsCamera = await pairWith(bob, camera, "Bob's camera");
  assert.ok((await captureAndSync(camera, clock, 1)).captureId);
  // Bob's second camera is a reset one: its new credential waits for Bob's approval.
  const reset = await world.newCamera();
  await pairWith(bob, reset, "Bob's reset camera");
  const held = await factoryResetAndRegister(reset, world.verifier.url);
  assert.equal(held.pendingApproval, true);
  bobsHeld = held.credentialId;
});
after(() => world.close());

const bobsState = async () =>
  (
    await world.verifier.services.db.execute({
      sql: `SELECT c.id, c.revoked_at, h.owner_id, h.name, h.to_at, r.decision,
              (SELECT COUNT(*) FROM transfers t WHERE t.credential_id = c.id) AS transfers,
              (SELECT COUNT(*) FROM theft_reports s WHERE s.credential_id = c.id) AS thefts
            FROM credentials c LEFT JOIN ownership h ON h.credential_id = c.id LEFT JOIN reregistrations r ON r.credential_id = c.id
            WHERE c.id IN (?, ?) ORDER BY c.id, h.id`,
      args: [bobsCamera, bobsHeld],
    })
  ).rows.map((row) => ({ ...row }));

const routes = (id: string): [string, string, unknown?][] => [
  ["GET", `/v1/owner/devices/${id}`],
  ["PATCH", `/v1/owner/devices/${id}`, { name: "Taken over" }],
  ["POST", `/v1/owner/devices/${id}/revoke`],
  ["POST", `/v1/owner/devices/${id}/report-stolen`],
  ["POST", `/v1/owner/devices/${id}/transfer`],
  ["GET", `/v1/owner/devices/${id}/captures`],
  ["POST", `/v1/owner/devices/${id}/approve`],
  ["POST", `/v1/owner/devices/${id}/refuse`],
];

test("the device list shows an owner their own cameras only", async () => {
  const mine = await alice.request("GET", "/v1/owner/devices");
  assert.equal(mine.status, 200);
  assert.deepEqual(
    mine.body.devices.map((device: { id: string }) => device.id),
    [alicesCamera],
  );
  const bobs = await bob.request("GET", "/v1/owner/devices");
  assert.ok(bobs.body.devices.some((device: { id: string }) => device.id === bobsCamera));
  assert.ok(bobs.body.devices.some((device: { id: string; status: string }) => device.id === bobsHeld && device.status === "pending_approval"));
});

routes(":id").forEach(([method, template], index) => {
  test(`${method} ${template}: another owner's camera answers 404 not_found, as a camera that does not exist`, async () => {
    const before = await bobsState();
    for (const id of [bobsCamera, bobsHeld, NOWHERE]) {
      const [, path, body] = routes(id)[index]!;
      const answer = await alice.request(method, path, body);
      assert.equal(answer.status, 404, `${method} ${path}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.code, "not_found");
    }
    assert.deepEqual(await bobsState(), before, "nothing of Bob's changed");
  });
});

test("the same routes work for the camera's owner (the 404s above are about ownership, not the route)", async () => {
  assert.equal((await bob.request("GET", `/v1/owner/devices/${bobsCamera}`)).status, 200);
  assert.equal((await bob.request("GET", `/v1/owner/devices/${bobsCamera}/captures`)).body.captures.length, 1);
  assert.equal((await bob.request("PATCH", `/v1/owner/devices/${bobsCamera}`, { name: "Renamed by Bob" })).body.device.name, "Renamed by Bob");
});

test("without a session every owner route answers 401 session_required", async () => {
  for (const [method, path, body] of [...routes(bobsCamera), ["GET", "/v1/owner/devices"], ["GET", "/v1/owner/audit"]] as [string, string, unknown?][]) {
    const response = await fetch(`${world.verifier.url}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    assert.equal(response.status, 401, `${method} ${path}`);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, "session_required");
  }
});
