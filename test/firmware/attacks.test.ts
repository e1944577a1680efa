// Acceptance: "Each attack is refused with its own error": the camera-side
// attacks of the TUF/Uptane literature, named as python-tuf names its tests.
// The attacker controls what the camera downloads (a hostile mirror on
// 127.0.0.1 serves any release and image bytes); the camera holds the vendor
// and co-signer keys it was manufactured with. After every refusal the camera
// still boots what it booted before, and no slot was recorded.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { toHex } from "../../src/bytes.ts";
import { type ErrorCode, isProvenanceError } from "../../src/errors.ts";
import { type KeySet, firmwareKeyOf } from "../../src/firmware/key-set.ts";
import { type FirmwareManifest, encodeManifest } from "../../src/firmware/manifest.ts";
import { encodeRelease, signManifest } from "../../src/firmware/release.ts";
import type { Camera } from "../../device/camera.ts";
import { storeTimeAnchor } from "../../device/camera.ts";
import { bootPointer, currentKeySet, verifiedSlot } from "../../device/firmware/firmware-db.ts";
import { bootFirmware } from "../../device/firmware/slots.ts";
import { updateFirmware } from "../../device/firmware/updater.ts";
import { DAY, ENDLESS_CAP, type FirmwareWorld, type Mirror, createFirmwareWorld, firmwareImage, manifestFor, newReleaseKey, reboot, signRelease, startMirror } from "./support.ts";

let world: FirmwareWorld;
let mirror: Mirror;

before(async () => {
  world = await createFirmwareWorld();
  mirror = await startMirror();
});
after(async () => {
  await mirror.close();
  await world.close();
});

/** Puts a release and its image on the mirror. */
function serve(release: Uint8Array, manifest: Pick<FirmwareManifest, "imageSha256">, image: Uint8Array | "endless"): void {
  mirror.offer(release);
  mirror.image(toHex(manifest.imageSha256), image);
}

async function manifest(version: string, fields: Partial<FirmwareManifest> = {}, image = firmwareImage(version)) {
  return manifestFor(image, mirror.url, { version, ...fields }, world.keys);
}

async function install(camera: Camera, version: string, fields: Partial<FirmwareManifest> = {}) {
  const image = firmwareImage(version);
  const signed = await manifest(version, fields, image);
  serve(signRelease(signed, [world.keys.vendor, world.keys.cosigner]), signed, image);
  return updateFirmware(camera, { server: mirror.url });
}

/** The camera refuses with `code`, and boots and holds exactly what it did before. */
async function refused(camera: Camera, code: ErrorCode, options: { clock?: () => number } = {}): Promise<void> {
  const boot = () => bootFirmware(camera.db, camera.paths.dir, camera.authenticator.identity.firmware);
  const before = { pointer: await bootPointer(camera.db), keySet: await currentKeySet(camera.db), booted: await boot() };
  const slotsBefore = [await verifiedSlot(camera.db, "a"), await verifiedSlot(camera.db, "b")];
  await assert.rejects(updateFirmware(camera, { server: mirror.url, ...options }), (error) => {
    assert.ok(isProvenanceError(error, code), `expected ${code}, got ${String(error)}`);
    return true;
  });
  assert.deepEqual(await bootPointer(camera.db), before.pointer);
  assert.deepEqual(await currentKeySet(camera.db), before.keySet);
  assert.deepEqual([await verifiedSlot(camera.db, "a"), await verifiedSlot(camera.db, "b")], slotsBefore);
  assert.deepEqual(await boot(), before.booted);
}

test("a release signed by both keys installs, and the camera boots it after a restart", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  const result = await install(camera, "1.1.0");
  assert.equal(result.status, "installed");
  const rebooted = await reboot(camera);
  assert.deepEqual(rebooted.firmware, { slot: "a", version: "1.1.0" });
  assert.equal((await updateFirmware(rebooted, { server: mirror.url })).status, "up_to_date");
  rebooted.db.close();
});

test("arbitrary software: only the vendor signature is refused with firmware_cosigner_signature_missing", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  const image = firmwareImage("6.6.6");
  const signed = await manifest("6.6.6", {}, image);
  serve(signRelease(signed, [world.keys.vendor]), signed, image);
  await refused(camera, "firmware_cosigner_signature_missing");
  // Listing only the vendor's key does not make its signature enough.
  const vendorOnly = await manifest("6.6.6", { keyIds: [world.keys.vendor.key.kid] }, image);
  serve(signRelease(vendorOnly, [world.keys.vendor]), vendorOnly, image);
  await refused(camera, "firmware_cosigner_signature_missing");
});

test("arbitrary software: only the co-signer signature is refused with firmware_release_signature_missing", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  const image = firmwareImage("6.6.6");
  const signed = await manifest("6.6.6", {}, image);
  serve(signRelease(signed, [world.keys.cosigner]), signed, image);
  await refused(camera, "firmware_release_signature_missing");
});

test("arbitrary software: the vendor's signature given twice is one signer, so the co-signer's is missing (firmware_cosigner_signature_missing)", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  const image = firmwareImage("6.6.6");
  const signed = await manifest("6.6.6", {}, image);
  serve(signRelease(signed, [world.keys.vendor, world.keys.vendor]), signed, image);
  await refused(camera, "firmware_cosigner_signature_missing");
  serve(signRelease(signed, [world.keys.cosigner, world.keys.cosigner]), signed, image);
  await refused(camera, "firmware_release_signature_missing");
});

test("arbitrary software: a release with no signature at all is refused with firmware_threshold_unmet", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  const image = firmwareImage("6.6.6");
  const signed = await manifest("6.6.6", {}, image);
  serve(signRelease(signed, []), signed, image);
  await refused(camera, "firmware_threshold_unmet");
});

test("arbitrary software: one signature where a three-key set needs two is refused with firmware_threshold_unmet", async () => {
  const third = newReleaseKey();
  const keySet: KeySet = { version: 1, threshold: 2, keys: [world.keys.vendor.key, world.keys.cosigner.key, third.key], revoked: [] };
  const camera = await world.newFirmwareCamera({ register: false, keySet });
  const image = firmwareImage("6.6.6");
  const signed = await manifest("6.6.6", { keyIds: keySet.keys.map((key) => key.kid) }, image);
  serve(signRelease(signed, [world.keys.vendor]), signed, image);
  await refused(camera, "firmware_threshold_unmet");
  // Any two of the three distinct keys meet it.
  serve(signRelease(signed, [third, world.keys.cosigner]), signed, image);
  assert.equal((await updateFirmware(camera, { server: mirror.url })).status, "installed");
});

test("arbitrary software: a signature by a key the camera does not hold is refused with firmware_key_unknown", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  const attacker = newReleaseKey();
  const image = firmwareImage("6.6.6");
  const signed = await manifest("6.6.6", { keyIds: [world.keys.vendor.key.kid, attacker.key.kid] }, image);
  serve(signRelease(signed, [world.keys.vendor, attacker]), signed, image);
  await refused(camera, "firmware_key_unknown");
  // Nor can an unlisted signer ride along beside the two real ones.
  const listed = await manifest("6.6.6", {}, image);
  serve(signRelease(listed, [world.keys.vendor, world.keys.cosigner, attacker]), listed, image);
  await refused(camera, "firmware_key_unknown");
});

test("mix-and-match: both signatures made over a different manifest are refused with firmware_signature_invalid", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  const evil = firmwareImage("6.6.6");
  const genuine = encodeManifest(await manifest("1.1.0"));
  const forged = encodeManifest(await manifest("6.6.6", {}, evil));
  const signatures = [signManifest(world.keys.vendor.secretKey, genuine), signManifest(world.keys.cosigner.secretKey, genuine)];
  serve(encodeRelease(forged, signatures), await manifest("6.6.6", {}, evil), evil);
  await refused(camera, "firmware_signature_invalid");
});

test("mix-and-match: the vendor's signature of one manifest with the co-signer's of another is refused with firmware_signature_invalid", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  const image = firmwareImage("1.2.0");
  const vendorSigned = encodeManifest(await manifest("1.2.0", {}, image));
  const cosignerSigned = encodeManifest(await manifest("1.1.0"));
  const release = encodeRelease(vendorSigned, [signManifest(world.keys.vendor.secretKey, vendorSigned), signManifest(world.keys.cosigner.secretKey, cosignerSigned)]);
  serve(release, await manifest("1.2.0", {}, image), image);
  await refused(camera, "firmware_signature_invalid");
});

test("rollback: a validly signed older version is refused with firmware_rollback", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  assert.equal((await install(camera, "1.2.0")).status, "installed");
  const image = firmwareImage("1.1.9");
  const signed = await manifest("1.1.9", {}, image);
  serve(signRelease(signed, [world.keys.vendor, world.keys.cosigner]), signed, image);
  await refused(camera, "firmware_rollback");
});

test("rollback: the installed version again, with another image, is not an upgrade (firmware_rollback)", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  assert.equal((await install(camera, "1.2.0")).status, "installed");
  const other = firmwareImage("other", 5000);
  const signed = await manifest("1.2.0", {}, other);
  serve(signRelease(signed, [world.keys.vendor, world.keys.cosigner]), signed, other);
  await refused(camera, "firmware_rollback");
});

test("rollback: versions compare as numbers, so 1.10.0 is newer than 1.9.0 and 1.9.0 after it is refused", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  assert.equal((await install(camera, "1.10.0")).status, "installed");
  const image = firmwareImage("1.9.0");
  const signed = await manifest("1.9.0", {}, image);
  serve(signRelease(signed, [world.keys.vendor, world.keys.cosigner]), signed, image);
  await refused(camera, "firmware_rollback");
});

test("min version: an image for cameras already at 1.5.0 is refused on 1.0.0 with firmware_min_version", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  const image = firmwareImage("2.0.0");
  const signed = await manifest("2.0.0", { minVersion: "1.5.0" }, image);
  serve(signRelease(signed, [world.keys.vendor, world.keys.cosigner]), signed, image);
  await refused(camera, "firmware_min_version");
});

test("wrong model: a validly signed release for another model is refused with firmware_model_mismatch", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  const image = firmwareImage("2.0.0");
  const signed = await manifest("2.0.0", { model: "Acme Z9" }, image);
  serve(signRelease(signed, [world.keys.vendor, world.keys.cosigner]), signed, image);
  await refused(camera, "firmware_model_mismatch");
});

test("freeze: an expired manifest is refused with firmware_expired", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  const image = firmwareImage("1.1.0");
  const releasedAt = Date.now() - 40 * DAY;
  const signed = await manifest("1.1.0", { releasedAt, expiresAt: releasedAt + 30 * DAY }, image);
  serve(signRelease(signed, [world.keys.vendor, world.keys.cosigner]), signed, image);
  await refused(camera, "firmware_expired");
});

test("freeze: a camera clock set back does not revive an expired manifest; the latest server time anchor bounds now", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  const image = firmwareImage("1.1.0");
  const releasedAt = Date.now() - 40 * DAY;
  const signed = await manifest("1.1.0", { releasedAt, expiresAt: releasedAt + 30 * DAY }, image);
  serve(signRelease(signed, [world.keys.vendor, world.keys.cosigner]), signed, image);
  const setBack = () => releasedAt + DAY;
  await storeTimeAnchor(camera.db, { t: Date.now(), kid: new Uint8Array(8), sig: new Uint8Array(64) });
  await refused(camera, "firmware_expired", { clock: setBack });
});

test("endless data: an image that goes on past its signed size is cut off and refused with firmware_image_size_mismatch", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  const signed = await manifest("1.1.0", {}, firmwareImage("1.1.0"));
  serve(signRelease(signed, [world.keys.vendor, world.keys.cosigner]), signed, "endless");
  await refused(camera, "firmware_image_size_mismatch");
  await mirror.endless.done;
  assert.ok(mirror.endless.clientClosed, "the camera hung up instead of reading on");
  assert.ok(mirror.endless.sent < ENDLESS_CAP / 4, `the server got to send only what sockets buffer (${mirror.endless.sent} bytes)`);
});

test("endless data: a larger image than declared is refused with firmware_image_size_mismatch", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  const image = firmwareImage("1.1.0");
  const signed = await manifest("1.1.0", {}, image);
  serve(signRelease(signed, [world.keys.vendor, world.keys.cosigner]), signed, new Uint8Array([...image, 0]));
  await refused(camera, "firmware_image_size_mismatch");
});

test("a truncated image is refused with firmware_image_size_mismatch", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  const image = firmwareImage("1.1.0");
  const signed = await manifest("1.1.0", {}, image);
  serve(signRelease(signed, [world.keys.vendor, world.keys.cosigner]), signed, image.subarray(0, image.length - 1));
  await refused(camera, "firmware_image_size_mismatch");
});

test("an image whose hash differs from the signed one is refused with firmware_image_hash_mismatch", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  const image = firmwareImage("1.1.0");
  const signed = await manifest("1.1.0", {}, image);
  const tampered = image.slice();
  tampered[100]! ^= 0xff;
  serve(signRelease(signed, [world.keys.vendor, world.keys.cosigner]), signed, tampered);
  await refused(camera, "firmware_image_hash_mismatch");
});

/** A rotation to {new vendor key, co-signer}, revoking the old vendor key. */
function rotatedKeySet(version: number, newVendor = newReleaseKey()): { keySet: KeySet; newVendor: ReturnType<typeof newReleaseKey> } {
  return {
    newVendor,
    keySet: { version, threshold: 2, keys: [firmwareKeyOf(newVendor.key.publicKey), world.keys.cosigner.key], revoked: [world.keys.vendor.key.kid] },
  };
}

async function rotationRelease(version: string, keySet: KeySet, signers: ReturnType<typeof newReleaseKey>[], newVendor: ReturnType<typeof newReleaseKey>) {
  const image = firmwareImage(version);
  const signed = await manifest(version, { keySet, keyIds: [world.keys.vendor.key.kid, world.keys.cosigner.key.kid, newVendor.key.kid] }, image);
  serve(signRelease(signed, signers), signed, image);
}

test("key rotation: a new key set signed by both current keys and by the new keys is accepted; later releases need the new keys", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  const { keySet, newVendor } = rotatedKeySet(2);
  await rotationRelease("1.1.0", keySet, [world.keys.vendor, world.keys.cosigner, newVendor], newVendor);
  const result = await updateFirmware(camera, { server: mirror.url });
  assert.equal(result.status, "installed");
  assert.equal((await currentKeySet(camera.db))?.version, 2);

  // The camera now installs what the new vendor key and the co-signer sign...
  const image = firmwareImage("1.2.0");
  const next = await manifest("1.2.0", { keyIds: [newVendor.key.kid, world.keys.cosigner.key.kid] }, image);
  serve(signRelease(next, [newVendor, world.keys.cosigner]), next, image);
  assert.equal((await updateFirmware(camera, { server: mirror.url })).status, "installed");
  // ...and boots the release it installed under the old keys until then, and this one now.
  const rebooted = await reboot(camera);
  assert.deepEqual(rebooted.firmware, { slot: "b", version: "1.2.0" });
  rebooted.db.close();
});

test("key rotation: a new key set signed by the current keys but not by its own keys is refused with firmware_keyset_threshold_unmet", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  const { keySet, newVendor } = rotatedKeySet(2);
  await rotationRelease("1.1.0", keySet, [world.keys.vendor, world.keys.cosigner], newVendor);
  await refused(camera, "firmware_keyset_threshold_unmet");
});

test("key rotation: a new key set signed only by its own keys lacks the current release key's signature (firmware_release_signature_missing)", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  const { keySet, newVendor } = rotatedKeySet(2);
  await rotationRelease("1.1.0", keySet, [world.keys.cosigner, newVendor], newVendor);
  await refused(camera, "firmware_release_signature_missing");
});

test("key rotation rollback: a key set whose version is not higher than the held one is refused with firmware_keyset_rollback", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  const { keySet, newVendor } = rotatedKeySet(1);
  await rotationRelease("1.1.0", keySet, [world.keys.vendor, world.keys.cosigner, newVendor], newVendor);
  await refused(camera, "firmware_keyset_rollback");
  // Once at version 2, a validly signed set numbered 2 again is a rollback too.
  const second = rotatedKeySet(2);
  await rotationRelease("1.1.0", second.keySet, [world.keys.vendor, world.keys.cosigner, second.newVendor], second.newVendor);
  assert.equal((await updateFirmware(camera, { server: mirror.url })).status, "installed");
  const replay: KeySet = { version: 2, threshold: 2, keys: [second.newVendor.key, world.keys.cosigner.key], revoked: [world.keys.vendor.key.kid] };
  const image = firmwareImage("1.2.0");
  const signed = await manifest("1.2.0", { keySet: replay, keyIds: [second.newVendor.key.kid, world.keys.cosigner.key.kid] }, image);
  serve(signRelease(signed, [second.newVendor, world.keys.cosigner]), signed, image);
  await refused(camera, "firmware_keyset_rollback");
});

test("revoked key: after a rotation revokes the old vendor key, a release it signs is refused with firmware_key_revoked", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  const { keySet, newVendor } = rotatedKeySet(2);
  await rotationRelease("1.1.0", keySet, [world.keys.vendor, world.keys.cosigner, newVendor], newVendor);
  assert.equal((await updateFirmware(camera, { server: mirror.url })).status, "installed");
  const image = firmwareImage("1.2.0");
  const signed = await manifest("1.2.0", {}, image);
  serve(signRelease(signed, [world.keys.vendor, world.keys.cosigner]), signed, image);
  await refused(camera, "firmware_key_revoked");
});

test("a release that does not decode is refused with firmware_manifest_malformed", async () => {
  const camera = await world.newFirmwareCamera({ register: false });
  mirror.offer(new Uint8Array([0xa1, 0x61, 0x78, 0x01]));
  await refused(camera, "firmware_manifest_malformed");
});
