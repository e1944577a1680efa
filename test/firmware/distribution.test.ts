// The verifier as the distribution point: it publishes only what verifies
// against its firmware key set (no other credential), serves the newest
// version per model and the image bytes, follows a key rotation it published,
// and hands a camera that holds an older key set the rotation first.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fromBase64Url, toHex } from "../../src/bytes.ts";
import { sha256 } from "../../src/crypto/sha256.ts";
import { type KeySet, firmwareKeyOf } from "../../src/firmware/key-set.ts";
import { decodeRelease } from "../../src/firmware/release.ts";
import { currentKeySet } from "../../device/firmware/firmware-db.ts";
import { updateFirmware } from "../../device/firmware/updater.ts";
import { createWorld } from "../support/world.ts";
import { MODEL, type FirmwareWorld, createFirmwareWorld, firmwareImage, manifestFor, newReleaseKey, publish, reboot, signRelease } from "./support.ts";

let world: FirmwareWorld;
before(async () => {
  world = await createFirmwareWorld();
});
after(() => world.close());

async function latest(keySetVersion?: number): Promise<string> {
  const query = new URLSearchParams({ model: MODEL, ...(keySetVersion === undefined ? {} : { keySetVersion: String(keySetVersion) }) });
  const response = await fetch(`${world.verifier.url}/v1/firmware/latest?${query}`);
  assert.equal(response.status, 200);
  return decodeRelease(fromBase64Url(((await response.json()) as { release: string }).release)).manifest.version;
}

test("the newest version per model is served, compared as versions, and the image by its hash", async () => {
  for (const version of ["1.2.0", "1.10.0", "1.9.0"]) await world.release(version);
  const other = firmwareImage("9.0.0");
  const forOther = signRelease(await manifestFor(other, world.verifier.url, { version: "9.0.0", model: "Acme Z9" }, world.keys), [world.keys.vendor, world.keys.cosigner]);
  assert.equal((await publish(world.verifier.url, forOther, other)).status, 201);
  assert.equal(await latest(), "1.10.0");

  const image = firmwareImage("1.10.0");
  const response = await fetch(`${world.verifier.url}/v1/firmware/images/${toHex(await sha256(image))}`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/octet-stream");
  assert.deepEqual(new Uint8Array(await response.arrayBuffer()), image);
});

test("key rotation through the verifier: it follows the new key set, and a camera on the old set gets the rotation first", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  const newVendor = newReleaseKey();
  const keySet: KeySet = { version: 2, threshold: 2, keys: [firmwareKeyOf(newVendor.key.publicKey), world.keys.cosigner.key], revoked: [world.keys.vendor.key.kid] };
  const rotationImage = firmwareImage("2.0.0");
  const rotation = signRelease(
    await manifestFor(rotationImage, world.verifier.url, { version: "2.0.0", keySet, keyIds: [world.keys.vendor.key.kid, world.keys.cosigner.key.kid, newVendor.key.kid] }, world.keys),
    [world.keys.vendor, world.keys.cosigner, newVendor],
  );
  const published = await publish(world.verifier.url, rotation, rotationImage);
  assert.equal(published.status, 201, JSON.stringify(published.body));
  assert.equal(published.body.keySetVersion, 2);

  // Signed by the new vendor key and the co-signer: accepted now; by the revoked key: refused.
  const nextImage = firmwareImage("2.1.0");
  const next = signRelease(await manifestFor(nextImage, world.verifier.url, { version: "2.1.0", keyIds: [newVendor.key.kid, world.keys.cosigner.key.kid] }, world.keys), [newVendor, world.keys.cosigner]);
  assert.equal((await publish(world.verifier.url, next, nextImage)).status, 201);
  const staleImage = firmwareImage("2.2.0");
  const stale = signRelease(await manifestFor(staleImage, world.verifier.url, { version: "2.2.0" }, world.keys), [world.keys.vendor, world.keys.cosigner]);
  const refused = await publish(world.verifier.url, stale, staleImage);
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error.code, "firmware_key_revoked");

  assert.equal(await latest(1), "2.0.0", "a camera on key set 1 is given the rotation");
  assert.equal(await latest(2), "2.1.0");
  assert.equal((await updateFirmware(camera, { server: world.verifier.url })).version, "2.0.0");
  assert.equal((await currentKeySet(camera.db))?.version, 2);
  assert.equal((await updateFirmware(camera, { server: world.verifier.url })).version, "2.1.0");
  const rebooted = await reboot(camera);
  assert.deepEqual(rebooted.firmware, { slot: "b", version: "2.1.0" });
  assert.equal((await updateFirmware(rebooted, { server: world.verifier.url })).status, "up_to_date");
  rebooted.db.close();
});

test("a verifier without a firmware key set publishes nothing: firmware_trust_unconfigured", async () => {
  const bare = await createWorld();
  try {
    const image = firmwareImage("1.0.1");
    const release = signRelease(await manifestFor(image, bare.verifier.url, { version: "1.0.1" }, world.keys), [world.keys.vendor, world.keys.cosigner]);
    const answer = await publish(bare.verifier.url, release, image);
    assert.equal(answer.status, 403);
    assert.equal(answer.body.error.code, "firmware_trust_unconfigured");
  } finally {
    await bare.close();
  }
});
