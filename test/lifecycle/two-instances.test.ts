// The once-only rules of pairing and transfer hold across verifier instances:
// two instances on one libSQL file, as behind a load balancer, each asked to
// spend the same code or challenge at the same moment. Exactly one wins.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { proveCredential } from "../../device/device-assertion.ts";
import { type NodeVerifier, serveVerifier } from "../../verifier/node.ts";
import { OwnerClient, type TestClock } from "../support/owner-client.ts";
import type { World } from "../support/world.ts";
import { credentialIdOf, lifecycleWorld, pairWith, proven } from "./lifecycle-world.ts";

let world: World;
let clock: TestClock;
let second: NodeVerifier;
let alice: OwnerClient;
let bob: OwnerClient;
let carol: OwnerClient;

/** The same signed-in owner, talking to the other instance: sessions live in the shared database. */
function onSecond(owner: OwnerClient): OwnerClient {
  const moved = new OwnerClient(second.url, clock, owner.email, owner.password, owner.displayName);
  for (const [name, value] of owner.cookies) moved.cookies.set(name, value);
  moved.csrfToken = owner.csrfToken;
  moved.ownerId = owner.ownerId;
  return moved;
}

before(async () => {
  ({ world, clock } = await lifecycleWorld());
  second = await serveVerifier(world.verifier.services.config, 0, { now: clock.now });
  alice = await OwnerClient.signUpAndEnrol(world.verifier.url, clock, { displayName: "Alice" });
  bob = await OwnerClient.signUpAndEnrol(world.verifier.url, clock, { displayName: "Bob" });
  carol = await OwnerClient.signUpAndEnrol(world.verifier.url, clock, { displayName: "Carol" });
});
after(async () => {
  await second.stop();
  await world.close();
});

test("two owners entering one pairing code on two instances: one gets the camera, the other pairing_code_used", async () => {
  const camera = await world.newCamera();
  const { code } = (await proven(world, camera, "/v1/devices/pairing-codes", "pair")).body;
  const answers = await Promise.all([
    alice.request("POST", "/v1/owner/devices/pair", { code, name: "Alice's" }),
    onSecond(bob).request("POST", "/v1/owner/devices/pair", { code, name: "Bob's" }),
  ]);
  assert.deepEqual(
    answers.map((answer) => answer.body.error?.code ?? answer.status).sort(),
    [201, "pairing_code_used"].sort(),
  );
  const owners = await world.verifier.services.db.execute({ sql: "SELECT owner_id FROM ownership WHERE credential_id = ?", args: [await credentialIdOf(camera)] });
  assert.equal(owners.rows.length, 1);
});

test("two receivers confirming one transfer code on two instances: one gets the camera", async () => {
  const id = await pairWith(alice, await world.newCamera(), "For sale");
  const { transferCode } = (await alice.request("POST", `/v1/owner/devices/${id}/transfer`)).body;
  const answers = await Promise.all([
    bob.request("POST", "/v1/owner/devices/accept-transfer", { code: transferCode, name: "Bob's" }),
    onSecond(carol).request("POST", "/v1/owner/devices/accept-transfer", { code: transferCode, name: "Carol's" }),
  ]);
  assert.deepEqual(
    answers.map((answer) => answer.body.error?.code ?? answer.status).sort(),
    [200, "transfer_code_used"].sort(),
  );
  const open = await world.verifier.services.db.execute({ sql: "SELECT owner_id FROM ownership WHERE credential_id = ? AND to_at IS NULL", args: [id] });
  assert.equal(open.rows.length, 1);
  assert.ok([bob.ownerId, carol.ownerId].includes(String(open.rows[0]!.owner_id)));
});

test("one device proof sent to both instances is accepted once", async () => {
  const camera = await world.newCamera();
  const proof = await proveCredential(camera, world.verifier.url, "status");
  const send = (verifier: NodeVerifier) =>
    fetch(`${verifier.url}/v1/devices/status`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(proof) }).then(async (response) => ({
      status: response.status,
      body: (await response.json()) as { error?: { code: string } },
    }));
  const answers = await Promise.all([send(world.verifier), send(second)]);
  assert.deepEqual(
    answers.map((answer) => answer.body.error?.code ?? answer.status).sort(),
    [200, "device_challenge_invalid"].sort(),
  );
});
