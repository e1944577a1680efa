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
// run afterwards finishes the job. Updates are one at a time: a second one,
// started while an in-process update is held at mid-write, is refused, and
// the claim a killed updater leaves behind does not block the next.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { type Camera, openCamera } from "../../device/camera.ts";
import { bootPointer } from "../../device/firmware/firmware-db.ts";
import { slotPath } from "../../device/firmware/slots.ts";
import { UPDATE_STEPS, type UpdateStep, updateFirmware } from "../../device/firmware/updater.ts";
import { toHex } from "../../src/bytes.ts";
import { sha256 } from "../../src/crypto/sha256.ts";
import { type FirmwareWorld, createFirmwareWorld, firmwareImage, snapseal } from "./support.ts";

let world: FirmwareWorld;
const IMAGE_BYTES = 512 * 1024;

/** Cameras with 1.1.0 in slot a, closed, ready for a child process: one per test. */
const cameras: string[] = [];

before(async () => {
  world = await createFirmwareWorld();
  await world.release("1.1.0", {}, firmwareImage("1.1.0", IMAGE_BYTES));
  for (let index = 0; index < UPDATE_STEPS.length + 4; index++) {
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

test("a second update while one is running is refused and leaves slots and boot pointer unchanged", { timeout: 120_000 }, async () => {
  const dir = cameraOn110();
  const camera = await openCamera(dir);
  let paused!: () => void;
  let resume!: () => void;
  const atMidWrite = new Promise<void>((resolve) => (paused = resolve));
  const resumed = new Promise<void>((resolve) => (resume = resolve));
  const first = updateFirmware(camera, {
    server: world.verifier.url,
    onStep: async (step) => {
      if (step !== "mid-write") return;
      paused();
      await resumed;
    },
  });
  try {
    await Promise.race([atMidWrite, first.then(() => Promise.reject(new Error("the first update ended without reaching mid-write")))]);
    const during = await firmwareState(camera);
    const second = await snapseal(["device", "update", "--dir", dir, "--server", world.verifier.url]);
    assert.equal(second.signal, null);
    assert.equal(second.code, 70);
    assert.match(second.stderr, new RegExp(`another firmware update is in progress on this camera \\(pid ${process.pid}, since `));
    assert.deepEqual(await firmwareState(camera), during, "the refused update touched no slot, no record and not the boot pointer");
  } finally {
    resume();
  }
  const installed = await first;
  assert.deepEqual([installed.status, installed.version], ["installed", "1.2.0"], "the running update finishes undisturbed");
  assert.deepEqual(await updateClaims(camera), []);
  camera.db.close();
  assert.deepEqual((await boot(dir)).booted, { slot: "b", version: "1.2.0" });
});

test("an update killed mid-write leaves no lock that blocks the next update", { timeout: 120_000 }, async () => {
  const dir = cameraOn110();
  const crashed = await snapseal(["device", "update", "--dir", dir, "--server", world.verifier.url], { SNAPSEAL_CRASH_AT: "mid-write" });
  assert.equal(crashed.signal, "SIGKILL", crashed.stderr);
  let camera = await openCamera(dir);
  assert.equal((await updateClaims(camera)).length, 1, "the killed updater's claim is still there");
  camera.db.close();

  const next = await snapseal(["device", "update", "--dir", dir, "--server", world.verifier.url]);
  assert.equal(next.code, 0, next.stderr);
  assert.match(next.stdout, /firmware 1\.2\.0 installed in slot b/);
  camera = await openCamera(dir);
  try {
    assert.deepEqual(await updateClaims(camera), [], "the next update released its own claim");
  } finally {
    camera.db.close();
  }
});

/** Everything an update may touch: both slots' records and bytes on flash, and the boot pointer. */
async function firmwareState(camera: Camera) {
  const slots = (await camera.db.execute("SELECT slot, version, image_sha256 FROM firmware_slots ORDER BY slot")).rows.map((row) => ({ ...row }));
  const pointer = (await camera.db.execute("SELECT slot, version, image_sha256, switched_at FROM firmware_boot")).rows.map((row) => ({ ...row }));
  const flash = await Promise.all((["a", "b"] as const).map(async (slot) => toHex(await sha256(new Uint8Array(readFileSync(slotPath(camera.paths.dir, slot)))))));
  return { slots, pointer, flash };
}

async function updateClaims(camera: Camera): Promise<number[]> {
  return (await camera.db.execute("SELECT pid FROM firmware_update_lock")).rows.map((row) => Number(row.pid));
}

function corrupt(path: string): void {
  const bytes = readFileSync(path);
  bytes[bytes.length >> 1]! ^= 0xff;
  writeFileSync(path, bytes);
}
