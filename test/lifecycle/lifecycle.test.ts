// The device lifecycle through the owner API and the public answers: revoke,
// report stolen, transfer, re-registration after a factory reset, and the
// append-only audit log that records each of them. Real verifier on 127.0.0.1
// with an injected clock; real cameras, captures and syncs.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import type { Camera } from "../../device/camera.ts";
import { cameraStatus } from "../../device/device-status.ts";
import { runCli } from "../support/cli.ts";
import { OwnerClient, type TestClock } from "../support/owner-client.ts";
import { type World, checkPhoto } from "../support/world.ts";
import { captureAndSync, factoryResetAndRegister, lifecycleWorld, pairWith, proven } from "./lifecycle-world.ts";

/** Shorter than a session, so the test's owners are still signed in when a code has expired. */
const TRANSFER_CODE_TTL_MS = 3_600_000;
let world: World;
let clock: TestClock;
let alice: OwnerClient;
let bob: OwnerClient;

before(async () => {
  ({ world, clock } = await lifecycleWorld({ transferCodeTtlMs: TRANSFER_CODE_TTL_MS }));
  alice = await OwnerClient.signUpAndEnrol(world.verifier.url, clock, { displayName: "Alice" });
  bob = await OwnerClient.signUpAndEnrol(world.verifier.url, clock, { displayName: "Bob" });
});
after(() => world.close());

const check = async (file: string) => (await checkPhoto(world.verifier, new Uint8Array(await readFile(file)))).body;
const capture = async (id: string) => (await fetch(`${world.verifier.url}/v1/captures/${id}`)).json();
const credentialStatus = async (id: string) => (await fetch(`${world.verifier.url}/v1/credentials/${id}/status`)).json();
/** What the camera itself hears when it asks (`snapseal device status`). */
async function standing(camera: Camera): Promise<string> {
  const status = await cameraStatus(camera);
  assert.ok(status.registered);
  return status.status;
}

async function ownedCamera(owner: OwnerClient, name: string): Promise<{ camera: Camera; id: string }> {
  const camera = await world.newCamera();
  return { camera, id: await pairWith(owner, camera, name) };
}

test("revoke, then seal: the new capture is refused at sync; the earlier one still verifies, sealed before revocation", async () => {
  const { camera, id } = await ownedCamera(alice, "Revoked camera");
  const earlier = await captureAndSync(camera, clock, 1);
  assert.ok(earlier.captureId);

  clock.advance(1_000);
  const revoked = await alice.request("POST", `/v1/owner/devices/${id}/revoke`);
  assert.equal(revoked.status, 200);
  assert.equal(revoked.body.device.status, "revoked");
  const revokedAt = new Date(clock.now()).toISOString();
  assert.equal(revoked.body.device.revokedAt, revokedAt);

  clock.advance(1_000);
  const later = await captureAndSync(camera, clock, 2);
  assert.deepEqual([later.captureId, later.code], [null, "credential_revoked"]);

  const before = await check(earlier.file);
  assert.equal(before.verdict, "authentic");
  assert.deepEqual(before.revocation, { revokedAt, reportedStolenAt: null, sealedBeforeRevocation: true });
  assert.deepEqual(before.owner, { displayName: "Alice" });
  assert.equal(before.device.status, "revoked");
  const after = await check(later.file);
  assert.equal(after.verdict, "invalid");
  assert.equal(after.failure.code, "credential_revoked");
  assert.equal(after.revocation.sealedBeforeRevocation, false);
  assert.equal(after.owner, null, "nobody is credited with what a revoked credential sealed");

  const recorded = await capture(earlier.captureId!);
  assert.deepEqual(recorded.revocation, { revokedAt, reportedStolenAt: null, sealedBeforeRevocation: true });
  assert.deepEqual(recorded.owner, { displayName: "Alice" });
  assert.equal((await credentialStatus(id)).status, "revoked");
  assert.equal(await standing(camera), "revoked");

  const again = await alice.request("POST", `/v1/owner/devices/${id}/revoke`);
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, "device_already_revoked");
  const transfer = await alice.request("POST", `/v1/owner/devices/${id}/transfer`);
  assert.equal(transfer.body.error.code, "device_revoked");
});

test("a camera reported stolen is revoked from the report on, and every public answer says stolen", async () => {
  const { camera, id } = await ownedCamera(alice, "Stolen camera");
  const earlier = await captureAndSync(camera, clock, 3);
  clock.advance(1_000);
  const reported = await alice.request("POST", `/v1/owner/devices/${id}/report-stolen`);
  assert.equal(reported.status, 200);
  assert.equal(reported.body.device.status, "stolen");
  const reportedAt = new Date(clock.now()).toISOString();

  const checked = await check(earlier.file);
  assert.equal(checked.verdict, "authentic");
  assert.equal(checked.device.status, "stolen");
  assert.deepEqual(checked.revocation, { revokedAt: reportedAt, reportedStolenAt: reportedAt, sealedBeforeRevocation: true });
  const status = await credentialStatus(id);
  assert.deepEqual([status.status, status.reportedStolenAt, status.revokedAt], ["stolen", reportedAt, reportedAt]);
  assert.equal((await capture(earlier.captureId!)).credential.status, "stolen");
  assert.match((await runCli(["verify", earlier.file, "--server", world.verifier.url])).stdout, new RegExp(`stolen: +reported stolen at ${reportedAt}`));

  clock.advance(1_000);
  assert.equal((await captureAndSync(camera, clock, 4)).code, "credential_revoked", "the thief's captures are refused");
  const again = await alice.request("POST", `/v1/owner/devices/${id}/report-stolen`);
  assert.equal(again.body.error.code, "device_already_reported_stolen");
});

test("a transfer keeps historic attribution: captures before it name the old owner, after it the new one", async () => {
  const { camera, id } = await ownedCamera(alice, "Sold camera");
  const before = await captureAndSync(camera, clock, 5);

  clock.advance(1_000);
  const started = await alice.request("POST", `/v1/owner/devices/${id}/transfer`);
  assert.equal(started.status, 201);
  assert.match(started.body.transferCode, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  const code = started.body.transferCode;
  assert.equal((await bob.request("POST", "/v1/owner/devices/accept-transfer", { code: "ZZZZ-ZZZZ-ZZZZ", name: "Mine" })).body.error.code, "transfer_code_invalid");
  assert.equal((await alice.request("POST", "/v1/owner/devices/accept-transfer", { code, name: "Still mine" })).body.error.code, "transfer_to_self");
  assert.equal((await bob.request("GET", `/v1/owner/devices/${id}`)).status, 404, "a started transfer gives the receiver nothing yet");

  clock.advance(1_000);
  const accepted = await bob.request("POST", "/v1/owner/devices/accept-transfer", { code, name: "Bought camera" });
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  assert.deepEqual([accepted.body.device.id, accepted.body.device.name, accepted.body.device.status], [id, "Bought camera", "owned"]);
  assert.equal((await alice.request("GET", `/v1/owner/devices/${id}`)).status, 404, "the old owner no longer sees it");
  assert.equal((await bob.request("POST", "/v1/owner/devices/accept-transfer", { code, name: "Again" })).body.error.code, "transfer_code_used");

  clock.advance(1_000);
  const after = await captureAndSync(camera, clock, 6);
  assert.deepEqual((await check(before.file)).owner, { displayName: "Alice" });
  assert.deepEqual((await check(after.file)).owner, { displayName: "Bob" });
  assert.deepEqual((await capture(before.captureId!)).owner, { displayName: "Alice" });
  assert.deepEqual((await capture(after.captureId!)).owner, { displayName: "Bob" });
  assert.deepEqual((await credentialStatus(id)).owner, { displayName: "Bob" });
  const verifiedBefore = await runCli(["verify", before.file, "--server", world.verifier.url]);
  assert.match(verifiedBefore.stdout, /owner: +Alice \(when this photo was taken\)/, "`snapseal verify` names the owner at capture time too");
  const verifiedAfter = await runCli(["verify", after.file, "--server", world.verifier.url, "--json"]);
  assert.deepEqual(JSON.parse(verifiedAfter.stdout).owner, { displayName: "Bob", as: "at_capture" });
  assert.deepEqual(
    (await bob.request("GET", `/v1/owner/devices/${id}/captures`)).body.captures.map((item: { id: string }) => item.id),
    [after.captureId, before.captureId],
  );
});

test("a transfer code cannot be used once it has expired", async () => {
  const { id } = await ownedCamera(bob, "Unsold camera");
  const { transferCode } = (await bob.request("POST", `/v1/owner/devices/${id}/transfer`)).body;
  clock.advance(TRANSFER_CODE_TTL_MS);
  const late = await alice.request("POST", "/v1/owner/devices/accept-transfer", { code: transferCode, name: "Too late" });
  assert.equal(late.status, 410);
  assert.equal(late.body.error.code, "transfer_code_expired");
  assert.equal((await bob.request("GET", `/v1/owner/devices/${id}`)).body.device.status, "owned");
});

test("a re-registration after a factory reset is held until the owner approves it, then replaces the old credential", async () => {
  const { camera, id: old } = await ownedCamera(alice, "Reset camera");
  const sealedBefore = await captureAndSync(camera, clock, 7);

  clock.advance(1_000);
  const { credentialId: fresh, pendingApproval } = await factoryResetAndRegister(camera, world.verifier.url);
  assert.equal(pendingApproval, true);
  const held = await captureAndSync(camera, clock, 8);
  assert.deepEqual([held.captureId, held.code], [null, "credential_pending_approval"]);
  const verified = await runCli(["verify", held.file, "--server", world.verifier.url, "--json"]);
  assert.equal(verified.code, 4, "`snapseal verify` refuses it too");
  assert.equal(JSON.parse(verified.stdout).failure.code, "credential_pending_approval");
  assert.equal(await standing(camera), "pending_approval");
  const pairing = await proven(world, camera, "/v1/devices/pairing-codes", "pair");
  assert.equal(pairing.body.error.code, "credential_pending_approval", "a held camera cannot be paired by anyone else either");
  const listed = (await alice.request("GET", "/v1/owner/devices")).body.devices.find((device: { id: string }) => device.id === fresh);
  assert.deepEqual([listed.status, listed.replaces], ["pending_approval", old]);

  clock.advance(1_000);
  const approved = await alice.request("POST", `/v1/owner/devices/${fresh}/approve`);
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  assert.deepEqual([approved.body.device.status, approved.body.device.name], ["owned", "Reset camera"]);
  const replaced = (await alice.request("GET", `/v1/owner/devices/${old}`)).body.device;
  assert.deepEqual([replaced.status, replaced.replacedBy], ["revoked", fresh]);

  clock.advance(1_000);
  const afterApproval = await captureAndSync(camera, clock, 9);
  assert.ok(afterApproval.captureId);
  assert.deepEqual((await check(afterApproval.file)).owner, { displayName: "Alice" });
  const oldCapture = await check(sealedBefore.file);
  assert.equal(oldCapture.verdict, "authentic");
  assert.equal(oldCapture.revocation.sealedBeforeRevocation, true);
  assert.equal((await alice.request("POST", `/v1/owner/devices/${fresh}/approve`)).body.error.code, "reregistration_not_pending");
});

test("a re-registration the owner refuses never counts: its captures are refused and the camera is told", async () => {
  const { camera } = await ownedCamera(alice, "Thief's target");
  const { credentialId: fresh } = await factoryResetAndRegister(camera, world.verifier.url);
  const refused = await alice.request("POST", `/v1/owner/devices/${fresh}/refuse`);
  assert.equal(refused.status, 200);
  assert.equal((await credentialStatus(fresh)).status, "refused");
  assert.equal(await standing(camera), "refused");
  assert.equal((await captureAndSync(camera, clock, 10)).code, "credential_revoked");
  assert.equal((await alice.request("GET", `/v1/owner/devices/${fresh}`)).status, 404, "a refused credential is not the owner's");
});

test("a capture sealed before the camera was paired names no owner; one after it names the owner", async () => {
  const camera = await world.newCamera();
  const unowned = await captureAndSync(camera, clock, 12);
  clock.advance(1_000);
  await pairWith(bob, camera, "Paired late");
  clock.advance(1_000);
  const owned = await captureAndSync(camera, clock, 13);
  const before = await check(unowned.file);
  assert.equal(before.verdict, "authentic");
  assert.equal(before.owner, null);
  assert.equal(before.revocation, null);
  assert.equal((await capture(unowned.captureId!)).owner, null);
  assert.deepEqual((await check(owned.file)).owner, { displayName: "Bob" });
});

test("a re-registration of a camera nobody owns is not held", async () => {
  const camera = await world.newCamera();
  const { pendingApproval } = await factoryResetAndRegister(camera, world.verifier.url);
  assert.equal(pendingApproval, false);
  assert.ok((await captureAndSync(camera, clock, 11)).captureId);
});

test("every lifecycle action is in the audit log, shown to the owners it concerns", async () => {
  const { camera, id } = await ownedCamera(alice, "Audited");
  assert.equal((await alice.request("PATCH", `/v1/owner/devices/${id}`, { name: "Audited, renamed" })).status, 200);
  const { transferCode } = (await alice.request("POST", `/v1/owner/devices/${id}/transfer`)).body;
  assert.equal((await bob.request("POST", "/v1/owner/devices/accept-transfer", { code: transferCode, name: "Bob's audited" })).status, 200);
  const { credentialId: fresh } = await factoryResetAndRegister(camera, world.verifier.url);
  assert.equal((await bob.request("POST", `/v1/owner/devices/${fresh}/approve`)).status, 200);

  const actions = async (owner: OwnerClient, credentials: string[]) =>
    (await owner.request("GET", "/v1/owner/audit")).body.events
      .filter((event: { credentialId: string }) => credentials.includes(event.credentialId))
      .map((event: { action: string; actor: { kind: string; you?: boolean } }) => `${event.action}:${event.actor.kind}${event.actor.you ? ":you" : ""}`)
      .reverse();
  assert.deepEqual(await actions(alice, [id, fresh]), [
    "registered:device",
    "pairing_code_issued:device",
    "paired:owner:you",
    "renamed:owner:you",
    "transfer_started:owner:you",
    "transfer_completed:owner",
  ]);
  assert.deepEqual(await actions(bob, [id, fresh]), [
    "registered:device",
    "pairing_code_issued:device",
    "transfer_completed:owner:you",
    "registered:device",
    "reregistration_pending:device",
    "reregistration_approved:owner:you",
    "revoked:owner:you",
  ]);

  const everyAction = (await world.verifier.services.db.execute("SELECT DISTINCT action FROM audit_log ORDER BY action")).rows.map((row) => String(row.action));
  assert.deepEqual(everyAction, [
    "paired",
    "pairing_code_issued",
    "registered",
    "renamed",
    "reported_stolen",
    "reregistration_approved",
    "reregistration_pending",
    "reregistration_refused",
    "revoked",
    "transfer_completed",
    "transfer_started",
  ]);
});

test("a refused action writes nothing to the audit log", async () => {
  const { id } = await ownedCamera(alice, "Once revoked");
  await alice.request("POST", `/v1/owner/devices/${id}/revoke`);
  assert.equal((await alice.request("POST", `/v1/owner/devices/${id}/revoke`)).status, 409);
  const revocations = await world.verifier.services.db.execute({ sql: "SELECT COUNT(*) AS n FROM audit_log WHERE credential_id = ? AND action = 'revoked'", args: [id] });
  assert.equal(Number(revocations.rows[0]!.n), 1);
});

test("the audit log is append-only: UPDATE and DELETE fail in the database itself", async () => {
  const { db } = world.verifier.services;
  const before = (await db.execute("SELECT * FROM audit_log ORDER BY seq")).rows.map((row) => ({ ...row }));
  assert.ok(before.length > 0);
  await assert.rejects(db.execute("UPDATE audit_log SET action = 'renamed' WHERE seq = 1"), /append-only/);
  await assert.rejects(db.execute("DELETE FROM audit_log WHERE seq = 1"), /append-only/);
  await assert.rejects(db.execute("DELETE FROM audit_log"), /append-only/);
  assert.deepEqual((await db.execute("SELECT * FROM audit_log ORDER BY seq")).rows.map((row) => ({ ...row })), before);
});
