import assert from "node:assert/strict";
import { type Camera, activeCredential } from "../../device/camera.ts";
import { type CredentialProof, assertChallenge, proveCredential } from "../../device/device-assertion.ts";
import { pairCamera } from "../../device/pair.ts";
import { registerCamera } from "../../device/register.ts";
import { syncQueue } from "../../device/sync.ts";
import { toBase64Url } from "../../src/bytes.ts";
import type { VerifierConfig } from "../../verifier/config.ts";
import { type OwnerClient, type OwnerResponse, TestClock } from "../support/owner-client.ts";
import { type World, capture, createWorld } from "../support/world.ts";

/**
 * A world for lifecycle tests: a verifier on a TestClock (owners' TOTP codes
 * one step apart), cheap password hashing, fast pairing polls. Captures are
 * stamped with the test clock, as the time anchors cameras carry come from it.
 */
export async function lifecycleWorld(overrides: Partial<VerifierConfig> = {}): Promise<{ world: World; clock: TestClock }> {
  const clock = new TestClock();
  const world = await createWorld({ passwordCostLog2: 10, pairingPollIntervalMs: 10, ...overrides }, { now: clock.now });
  return { world, clock };
}

export async function credentialIdOf(camera: Camera): Promise<string> {
  return toBase64Url((await activeCredential(camera.db))!.credentialId);
}

/** The camera shows a code (device/pair.ts, in process), the owner enters it; returns the credential id. */
export async function pairWith(owner: OwnerClient, camera: Camera, name = "Camera"): Promise<string> {
  let claim: Promise<OwnerResponse> | undefined;
  // The timeout only stops the camera polling should the claim fail; the assertion below says why.
  const outcome = await pairCamera(camera, { timeoutMs: 30_000, onCode: ({ code }) => (claim = owner.request("POST", "/v1/owner/devices/pair", { code, name })) });
  const claimed = await claim!;
  assert.equal(claimed.status, 201, JSON.stringify(claimed.body));
  assert.deepEqual(outcome, { status: "paired", ownerDisplayName: owner.displayName });
  return claimed.body.device.id;
}

/** Seals a frame at the test clock's time and syncs it: the capture id when recorded, else the refusal's code. */
export async function captureAndSync(camera: Camera, clock: TestClock, seed: number): Promise<{ captureId: string | null; code: string | null; file: string }> {
  const queued = await capture(camera, seed, { capturedAt: clock.now(), width: 160, height: 120 });
  const report = await syncQueue(camera);
  assert.equal(report.recorded + report.rejected.length, 1, "one capture synced");
  const row = (await camera.db.execute({ sql: "SELECT capture_id, error_code FROM queue WHERE seq = ?", args: [queued.seq] })).rows[0]!;
  return {
    captureId: row.capture_id === null ? null : String(row.capture_id),
    code: row.error_code === null ? null : String(row.error_code),
    file: queued.file,
  };
}

/** A device-route request with a fresh proof that the camera holds its credential. */
export async function proven(world: World, camera: Camera, path: string, purpose: "pair" | "status") {
  const proof = await proveCredential(camera, world.verifier.url, purpose);
  return postJson(world, path, proof);
}

export async function postJson(world: World, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${world.verifier.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

/** An assertion by `signer`'s authenticator over a challenge of the caller's choosing, as a forger would send it (without its own credential id). */
export async function signChallenge(signer: Camera, challenge: string): Promise<Omit<CredentialProof, "credentialId">> {
  const { credentialId: _signersOwn, ...signed } = await assertChallenge(signer, challenge);
  return signed;
}

/**
 * A factory reset: the secure element keeps its attestation identity (serial,
 * certificate) and forgets its credentials, anchor and queue; the camera then
 * registers a new credential for the same serial.
 */
export async function factoryResetAndRegister(camera: Camera, verifierUrl: string): Promise<{ credentialId: string; pendingApproval: boolean }> {
  await camera.db.batch(["DELETE FROM queue", "DELETE FROM credentials", "DELETE FROM time_anchor"], "write");
  const registered = await registerCamera(camera, verifierUrl);
  const status = await (await fetch(`${verifierUrl}/v1/credentials/${registered.credentialId}/status`)).json();
  assert.equal(registered.pendingApproval, status.approvalPending, "the registration answer and the public status agree on the hold");
  return { credentialId: registered.credentialId, pendingApproval: registered.pendingApproval };
}
