import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import { verifyAuthenticationResponse } from "@simplewebauthn/server";
import type { Camera } from "../../device/camera.ts";
import { toBase64Url } from "../../src/bytes.ts";
import { extractRecord } from "../../src/jpeg/exif-record.ts";
import { decodeRecord } from "../../src/record/capture-record.ts";
import { toAuthenticationResponseJSON } from "../../src/record/assertion-response.ts";
import { expectedChallenge } from "../../src/record/seal-record.ts";
import { findCredential } from "../../verifier/db/credentials.ts";
import { type World, capture, createWorld } from "../support/world.ts";

let world: World;
let camera: Camera;

before(async () => {
  world = await createWorld();
  camera = await world.newCamera("SN-INTEROP");
});
after(() => world.close());

/** Hands a capture record to an independent relying-party library, as a plain WebAuthn assertion. */
async function verifyWithSimpleWebAuthn(photo: Uint8Array, options: { challenge?: string; previousCounter?: number } = {}) {
  const record = decodeRecord(extractRecord(photo)!);
  const credential = (await findCredential(world.verifier.services.db, toBase64Url(record.credentialId)))!;
  return verifyAuthenticationResponse({
    response: toAuthenticationResponseJSON(record),
    expectedChallenge: options.challenge ?? (await expectedChallenge(record.payload)),
    expectedOrigin: credential.origin,
    expectedRPID: credential.rpId,
    credential: { id: credential.id, publicKey: credential.coseKey as Uint8Array<ArrayBuffer>, counter: options.previousCounter ?? 0 },
    requireUserVerification: false,
    // A camera signs with no human present (UP=0); the library refuses that unless told.
    advancedFIDOConfig: { userVerification: "discouraged" },
  });
}

test("@simplewebauthn/server verifies a camera's capture record as a WebAuthn assertion", async () => {
  const photo = new Uint8Array(await readFile((await capture(camera, 1)).file));
  const second = new Uint8Array(await readFile((await capture(camera, 2)).file));
  const first = await verifyWithSimpleWebAuthn(photo);
  assert.equal(first.verified, true);
  assert.equal(first.authenticationInfo.newCounter, 1);
  const next = await verifyWithSimpleWebAuthn(second, { previousCounter: 1 });
  assert.equal(next.verified, true);
  assert.equal(next.authenticationInfo.newCounter, 2);
  assert.equal(next.authenticationInfo.userVerified, false);
});

test("@simplewebauthn/server refuses the record under a challenge that is not SHA-256 of its payload", async () => {
  const photo = new Uint8Array(await readFile((await capture(camera, 3)).file));
  await assert.rejects(verifyWithSimpleWebAuthn(photo, { challenge: toBase64Url(new Uint8Array(32)) }), /challenge/i);
});
