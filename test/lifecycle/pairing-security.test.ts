// Pairing attacks, one test each: a code used twice, a code used after it
// expired, a serial number (or a public credential id) as the only claim, an
// assertion by the wrong key, a replayed, misdirected or expired challenge,
// guessing codes, and flooding a camera's credential id with challenges. Real
// verifier on 127.0.0.1 with an injected clock.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Camera } from "../../device/camera.ts";
import { proveCredential } from "../../device/device-assertion.ts";
import { defaultConfig } from "../../verifier/config.ts";
import { MAX_DEVICE_CHALLENGES } from "../../verifier/db/pairing-codes.ts";
import { OwnerClient, type TestClock } from "../support/owner-client.ts";
import type { World } from "../support/world.ts";
import { credentialIdOf, lifecycleWorld, postJson, proven, signChallenge } from "./lifecycle-world.ts";

const ATTEMPTS = { max: 3, windowMs: 60_000 };
let world: World;
let clock: TestClock;
let alice: OwnerClient;
let bob: OwnerClient;

before(async () => {
  ({ world, clock } = await lifecycleWorld({ codeAttemptLimit: ATTEMPTS }));
  alice = await OwnerClient.signUpAndEnrol(world.verifier.url, clock, { displayName: "Alice" });
  bob = await OwnerClient.signUpAndEnrol(world.verifier.url, clock, { displayName: "Bob" });
});
after(() => world.close());

async function issueCode(camera: Camera): Promise<{ code: string; pollSecret: string }> {
  const issued = await proven(world, camera, "/v1/devices/pairing-codes", "pair");
  assert.equal(issued.status, 201, JSON.stringify(issued.body));
  return issued.body;
}

const poll = (pollSecret: string) => postJson(world, "/v1/devices/pairing-codes/poll", { pollSecret });
const challengeCount = async (credentialId: string) =>
  Number((await world.verifier.services.db.execute({ sql: "SELECT COUNT(*) AS n FROM device_challenges WHERE credential_id = ?", args: [credentialId] })).rows[0]!.n);
const ownerCount = async (credentialId: string) =>
  Number((await world.verifier.services.db.execute({ sql: "SELECT COUNT(*) AS n FROM ownership WHERE credential_id = ?", args: [credentialId] })).rows[0]!.n);

test("a pairing code is high-entropy, typeable and shown as XXXXX-XXXXX", async () => {
  const { code } = await issueCode(await world.newCamera());
  assert.match(code, /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
});

test("a pairing code cannot be used twice: the second owner is refused and the first keeps the camera", async () => {
  const camera = await world.newCamera();
  const { code, pollSecret } = await issueCode(camera);
  assert.deepEqual((await poll(pollSecret)).body.state, "waiting");
  const first = await alice.request("POST", "/v1/owner/devices/pair", { code: code.toLowerCase(), name: "Alice's" });
  assert.equal(first.status, 201);
  const second = await bob.request("POST", "/v1/owner/devices/pair", { code, name: "Bob's" });
  assert.equal(second.status, 409);
  assert.equal(second.body.error.code, "pairing_code_used");
  assert.deepEqual((await poll(pollSecret)).body, { state: "claimed", owner: { displayName: "Alice" } });
  assert.equal(await ownerCount(await credentialIdOf(camera)), 1);
});

test("a pairing code cannot be used once it has expired", async () => {
  const camera = await world.newCamera();
  const { code, pollSecret } = await issueCode(camera);
  clock.advance(defaultConfig.pairingCodeTtlMs);
  const late = await alice.request("POST", "/v1/owner/devices/pair", { code, name: "Too late" });
  assert.equal(late.status, 410);
  assert.equal(late.body.error.code, "pairing_code_expired");
  assert.deepEqual((await poll(pollSecret)).body, { state: "expired" });
  assert.equal(await ownerCount(await credentialIdOf(camera)), 0);
});

test("a serial number alone cannot claim a camera, nor its public credential id without its key", async () => {
  const camera = await world.newCamera("SN-GUESSABLE-0001");
  const credentialId = await credentialIdOf(camera);
  // The seeds' portal: an owner types the serial number.
  const bySerial = await bob.request("POST", "/v1/owner/devices/pair", { code: "SN-GUESSABLE-0001", name: "Mine now" });
  assert.equal(bySerial.status, 400);
  assert.equal(bySerial.body.error.code, "pairing_code_invalid");
  // Asking for a pairing code by serial number is not even a question the verifier takes.
  const askBySerial = await postJson(world, "/v1/devices/pairing-codes", { serial: "SN-GUESSABLE-0001" });
  assert.equal(askBySerial.status, 400);
  assert.equal(askBySerial.body.error.code, "bad_request");
  // The credential id is printed in every photo; a challenge for it is free, but only the camera can sign it.
  const { challenge } = (await postJson(world, "/v1/devices/challenge", { credentialId, purpose: "pair" })).body;
  const forged = await postJson(world, "/v1/devices/pairing-codes", { credentialId, ...(await signChallenge(await world.newCamera(), challenge)) });
  assert.equal(forged.status, 422);
  assert.equal(forged.body.error.code, "signature_invalid");
  const codes = await world.verifier.services.db.execute({ sql: "SELECT COUNT(*) AS n FROM pairing_codes WHERE credential_id = ?", args: [credentialId] });
  assert.equal(Number(codes.rows[0]!.n), 0, "no pairing code was issued for the camera");
  assert.equal(await ownerCount(credentialId), 0);
});

test("a pairing request whose assertion was signed by another camera's key is refused", async () => {
  const victim = await world.newCamera();
  const credentialId = await credentialIdOf(victim);
  const { challenge } = (await postJson(world, "/v1/devices/challenge", { credentialId, purpose: "pair" })).body;
  const answer = await postJson(world, "/v1/devices/pairing-codes", { credentialId, ...(await signChallenge(await world.newCamera(), challenge)) });
  assert.equal(answer.body.error.code, "signature_invalid");
});

test("a replayed pairing request (its challenge already used) is refused", async () => {
  const camera = await world.newCamera();
  const proof = await proveCredential(camera, world.verifier.url, "pair");
  assert.equal((await postJson(world, "/v1/devices/pairing-codes", proof)).status, 201);
  const replayed = await postJson(world, "/v1/devices/pairing-codes", proof);
  assert.equal(replayed.status, 400);
  assert.equal(replayed.body.error.code, "device_challenge_invalid");
});

test("a challenge issued for a status check does not open pairing", async () => {
  const camera = await world.newCamera();
  const answer = await postJson(world, "/v1/devices/pairing-codes", await proveCredential(camera, world.verifier.url, "status"));
  assert.equal(answer.body.error.code, "device_challenge_invalid");
});

test("a challenge issued to one camera does not serve another, even signed by the other's own key", async () => {
  const [first, second] = [await world.newCamera(), await world.newCamera()];
  const { challenge } = (await postJson(world, "/v1/devices/challenge", { credentialId: await credentialIdOf(first), purpose: "pair" })).body;
  const answer = await postJson(world, "/v1/devices/pairing-codes", { credentialId: await credentialIdOf(second), ...(await signChallenge(second, challenge)) });
  assert.equal(answer.body.error.code, "device_challenge_invalid");
});

test("an expired challenge is refused", async () => {
  const camera = await world.newCamera();
  const proof = await proveCredential(camera, world.verifier.url, "pair");
  clock.advance(defaultConfig.deviceChallengeTtlMs + 1);
  const answer = await postJson(world, "/v1/devices/pairing-codes", proof);
  assert.equal(answer.body.error.code, "device_challenge_invalid");
});

test("a camera the verifier does not know gets no challenge", async () => {
  const answer = await postJson(world, "/v1/devices/challenge", { credentialId: "A".repeat(43), purpose: "pair" });
  assert.equal(answer.status, 404);
  assert.equal(answer.body.error.code, "credential_unknown");
});

test("a camera that has an owner cannot show a new pairing code", async () => {
  const camera = await world.newCamera();
  const { code } = await issueCode(camera);
  assert.equal((await alice.request("POST", "/v1/owner/devices/pair", { code, name: "Owned" })).status, 201);
  const again = await proven(world, camera, "/v1/devices/pairing-codes", "pair");
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, "device_already_owned");
});

test("a newer code replaces the camera's unclaimed one", async () => {
  const camera = await world.newCamera();
  const older = await issueCode(camera);
  await issueCode(camera);
  const stale = await alice.request("POST", "/v1/owner/devices/pair", { code: older.code, name: "Stale" });
  assert.equal(stale.body.error.code, "pairing_code_invalid");
  assert.equal((await poll(older.pollSecret)).status, 404);
});

test("wrong pairing codes are throttled per owner, and the limit lifts after its window", async () => {
  const guesser = await OwnerClient.signUpAndEnrol(world.verifier.url, clock, { displayName: "Guesser" });
  const camera = await world.newCamera();
  const { code } = await issueCode(camera);
  for (let attempt = 0; attempt < ATTEMPTS.max; attempt++) {
    const wrong = await guesser.request("POST", "/v1/owner/devices/pair", { code: `ZZZZZ-ZZZZ${attempt}`, name: "Guess" });
    assert.equal(wrong.body.error.code, "pairing_code_invalid");
  }
  const throttled = await guesser.request("POST", "/v1/owner/devices/pair", { code, name: "Right code, too late" });
  assert.equal(throttled.status, 429);
  assert.equal(throttled.body.error.code, "too_many_attempts");
  assert.ok(Number(throttled.headers.get("retry-after")) > 0);
  // Another owner is not throttled by this one's guesses.
  assert.equal((await bob.request("POST", "/v1/owner/devices/pair", { code: "ZZZZZ-ZZZZZ", name: "Guess" })).body.error.code, "pairing_code_invalid");
  clock.advance(ATTEMPTS.windowMs);
  const later = await guesser.request("POST", "/v1/owner/devices/pair", { code, name: "Right code" });
  assert.equal(later.status, 201, JSON.stringify(later.body));
});

test("flooding a camera's credential id with challenges does not stop the camera proving itself and pairing, and it holds at most the bound", async () => {
  const camera = await world.newCamera();
  const credentialId = await credentialIdOf(camera);
  const ask = (purpose: "pair" | "status") => postJson(world, "/v1/devices/challenge", { credentialId, purpose });
  for (let request = 0; request < 10 * MAX_DEVICE_CHALLENGES; request++) {
    assert.equal((await ask(request % 2 === 0 ? "pair" : "status")).status, 201, "a challenge is never refused");
  }
  assert.equal(await challengeCount(credentialId), MAX_DEVICE_CHALLENGES);
  // The camera's own challenge, fresh, outlasts as many more as the bound leaves room for.
  const proof = await proveCredential(camera, world.verifier.url, "pair");
  for (let request = 1; request < MAX_DEVICE_CHALLENGES; request++) await ask("pair");
  const issued = await postJson(world, "/v1/devices/pairing-codes", proof);
  assert.equal(issued.status, 201, JSON.stringify(issued.body));
  assert.equal((await alice.request("POST", "/v1/owner/devices/pair", { code: issued.body.code, name: "Flooded" })).status, 201);
  assert.equal(await ownerCount(credentialId), 1);
  assert.ok((await challengeCount(credentialId)) <= MAX_DEVICE_CHALLENGES);
});

test("polling with an unknown secret learns nothing", async () => {
  const answer = await poll("not-a-secret-anyone-was-given");
  assert.equal(answer.status, 404);
  assert.equal(answer.body.error.code, "not_found");
});
