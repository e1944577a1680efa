// Acceptance: "Crash safety: a test kills the updater at each step of install
// (after download, mid-write, before the switch, after the switch) and shows
// the camera still boots a verified firmware afterwards and never runs an
// unverified one."
//
// Each camera starts with 1.1.0 installed in slot a; the verifier offers
// 1.2.0. `snapseal device update` runs in a child with SNAPSEAL_CRASH_AT set,
// and dies by SIGKILL at that step. Then the camera is booted (`snapseal device
// firmware`, a fresh process) and must run 1.1.0 from slot a up to the switch,
// 1.2.0 from slot b after it, each slot it boots verified from flash. An update
// run afterwards finishes the job.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { type Camera, openCamera } from "../../device/camera.ts";
import { bootPointer } from "../../device/firmware/firmware-db.ts";
import { slotPath } from "../../device/firmware/slots.ts";
import { UPDATE_STEPS, type UpdateStep, updateFirmware } from "../../device/firmware/updater.ts";
import { type FirmwareWorld, createFirmwareWorld, firmwareImage, snapseal } from "./support.ts";

let world: FirmwareWorld;
const IMAGE_BYTES = 512 * 1024;

/** Cameras with 1.1.0 in slot a, closed, ready for a child process: one per test. */
const cameras: string[] = [];

before(async () => {
  world = await createFirmwareWorld();
  await world.release("1.1.0", {}, firmwareImage("1.1.0", IMAGE_BYTES));
  for (let index = 0; index < UPDATE_STEPS.length + 2; index++) {
    const camera = await world.newFirmwareCamera();
    assert.equal((await updateFirmware(camera, { server: world.verifier.url })).status, "installed");
    camera.db.close();
    cameras.push(camera.paths.dir);
  }
  await world.release("1.2.0", {}, firmwareImage("1.2.0", IMAGE_BYTES));
});
after(() => world.close());

function cameraOn110(): string {
  return cameras.pop()!;
}

interface Booted {
  booted: { slot: string; version: string; fallback?: string };
  installed: string;
  slots: { slot: string; verified: boolean; version?: string; reason?: string }[];
}

async function boot(dir: string): Promise<Booted> {
  const result = await snapseal(["device", "firmware", "--dir", dir, "--json"]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

const expected: Record<UpdateStep, { slot: string; version: string }> = {
  "after-download": { slot: "a", version: "1.1.0" },
  "mid-write": { slot: "a", version: "1.1.0" },
  "before-switch": { slot: "a", version: "1.1.0" },
  "after-switch": { slot: "b", version: "1.2.0" },
};

for (const step of UPDATE_STEPS) {
  test(`killed ${step}, the camera boots verified ${expected[step].version} from slot ${expected[step].slot}, and a new update completes`, { timeout: 120_000 }, async () => {
    const dir = cameraOn110();
    const crashed = await snapseal(["device", "update", "--dir", dir, "--server", world.verifier.url], { SNAPSEAL_CRASH_AT: step });
    assert.equal(crashed.signal, "SIGKILL", crashed.stderr);
    assert.match(crashed.stderr, new RegExp(`crash injected at ${step}`));

    const afterCrash = await boot(dir);
    assert.deepEqual(afterCrash.booted, expected[step]);
    const bootedSlot = afterCrash.slots.find((slot) => slot.slot === expected[step].slot)!;
    assert.deepEqual(bootedSlot, { slot: expected[step].slot, verified: true, version: expected[step].version }, "what boots verifies from flash");
    assert.equal(afterCrash.installed, expected[step].version);
    if (step === "mid-write") {
      const partial = afterCrash.slots.find((slot) => slot.slot === "b")!;
      assert.equal(partial.verified, false, "the half-written slot is not trusted");
      assert.ok(readFileSync(slotPath(dir, "b")).length < IMAGE_BYTES, "the crash really left a partial image");
    }

    const resumed = await snapseal(["device", "update", "--dir", dir, "--server", world.verifier.url]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, step === "after-switch" ? /firmware 1\.2\.0 is up to date/ : /firmware 1\.2\.0 installed in slot b/);
    assert.deepEqual((await boot(dir)).booted, { slot: "b", version: "1.2.0" });
  });
}

test("an inactive slot corrupted mid-write is never booted, even when the active slot fails too: the factory image runs", { timeout: 120_000 }, async () => {
  const dir = cameraOn110();
  const crashed = await snapseal(["device", "update", "--dir", dir, "--server", world.verifier.url], { SNAPSEAL_CRASH_AT: "mid-write" });
  assert.equal(crashed.signal, "SIGKILL");
  // Complete the half-written slot with the right bytes: still never trusted, since it was not verified and recorded.
  writeFileSync(slotPath(dir, "b"), firmwareImage("1.2.0", IMAGE_BYTES));
  corrupt(slotPath(dir, "a"));
  const booted = await boot(dir);
  assert.equal(booted.booted.slot, "factory");
  assert.equal(booted.booted.version, "1.0.0");
  assert.match(booted.booted.fallback ?? "", /slot a does not verify on flash.*slot b holds no verified image/);
});

test("a corrupted active slot falls back to the other verified slot, and falling back does not lower the installed version", { timeout: 120_000 }, async () => {
  const dir = cameraOn110();
  let camera: Camera = await openCamera(dir);
  assert.equal((await updateFirmware(camera, { server: world.verifier.url })).status, "installed");
  camera.db.close();
  corrupt(slotPath(dir, "b"));
  camera = await openCamera(dir);
  try {
    assert.equal(camera.firmware.slot, "a");
    assert.equal(camera.firmware.version, "1.1.0");
    assert.match(camera.firmware.fallback ?? "", /slot b does not verify on flash \(.*SHA-256 differs/);
    assert.equal((await bootPointer(camera.db))?.version, "1.2.0", "a later update must still be newer than 1.2.0");
  } finally {
    camera.db.close();
  }
});

function corrupt(path: string): void {
  const bytes = readFileSync(path);
  bytes[bytes.length >> 1]! ^= 0xff;
  writeFileSync(path, bytes);
}
