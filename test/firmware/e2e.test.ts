// Acceptance: "An end-to-end test with real processes on 127.0.0.1: release →
// co-sign with a valid TOTP → the camera updates and its next captures carry
// the new firmware version."
//
// Everything is done with the real `snapseal` CLI in child processes: the
// vendor's keys, the co-signer (set up, then served as its own process), the
// key set the camera is manufactured with, the release, the camera's update,
// boot, captures and sync. The verifier runs in this process (a real server on
// 127.0.0.1) with the same key set as SNAPSEAL_FIRMWARE_KEYS would give it.
// The operator's one TOTP code is computed once, from the wall clock, for a
// fresh operator account: the co-signer accepts it once, whatever the second.

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseKeySetJson } from "../../src/firmware/key-set.ts";
import { newKeyRingEntry } from "../../src/secrets/envelope.ts";
import { totpCodeAt } from "../../src/totp/totp-code.ts";
import { createWorld } from "../support/world.ts";
import { MODEL, firmwareImage, snapseal } from "./support.ts";

const root = join(import.meta.dirname, "..", "..");

test("release, co-sign with a valid TOTP, update: the camera's next captures carry the new firmware version", { timeout: 240_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "snapseal-fw-e2e-"));
  const env = { COSIGNER_SECRET_KEYS: newKeyRingEntry("k1") };
  let server: ChildProcess | undefined;
  t.after(() => {
    server?.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  });
  const cli = async (args: string[]) => {
    const result = await snapseal(args, env);
    assert.equal(result.code, 0, `snapseal ${args.join(" ")}\n${result.stdout}${result.stderr}`);
    return result.stdout;
  };
  const at = (name: string) => join(dir, name);

  // The vendor: attestation CA and firmware release key.
  await cli(["vendor", "init", "--ca", at("vendor"), "--vendor", "Acme Optics", "--country", "DE"]);
  await cli(["firmware", "keygen", "--dir", at("vendor/firmware")]);
  // The co-signer: its key, an operator with TOTP, the vendor key it accepts.
  await cli(["cosigner", "init", "--dir", at("cosigner")]);
  const enrolment = await cli(["cosigner", "operator", "add", "--dir", at("cosigner"), "--name", "ada"]);
  const secret = /^secret: ([A-Z2-7]+)$/m.exec(enrolment)![1]!;
  assert.match(enrolment, /^uri: otpauth:\/\/totp\//m);
  await cli(["cosigner", "key", "accept", "--dir", at("cosigner"), "--key", at("vendor/firmware/release-key.pub.json")]);
  // What cameras are made with, and what the verifier publishes by.
  await cli(["firmware", "trust", "--vendor", at("vendor/firmware/release-key.pub.json"), "--cosigner", at("cosigner/cosigner-key.pub.json"), "--out", at("firmware-keys.json")]);

  server = spawn(process.execPath, ["--import", "tsx", join(root, "cli", "main.ts"), "cosigner", "serve", "--dir", at("cosigner"), "--port", "0"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const cosignerUrl = await new Promise<string>((resolve, reject) => {
    let out = "";
    server!.stdout!.on("data", (chunk) => {
      out += chunk;
      const match = /SnapSeal co-signer on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    server!.once("exit", (code) => reject(new Error(`the co-signer exited (${code}): ${out}`)));
  });

  const world = await createWorld({ trustedRootsPem: [readFileSync(at("vendor/root.pem"), "utf8")], firmwareTrust: parseKeySetJson(readFileSync(at("firmware-keys.json"), "utf8")) });
  t.after(() => world.close());
  const verifierUrl = world.verifier.url;

  const camera = at("camera");
  await cli(["device", "manufacture", "--dir", camera, "--ca", at("vendor"), "--serial", "ACME-FW-1", "--model", MODEL, "--firmware", "1.0.0", "--firmware-keys", at("firmware-keys.json")]);
  await cli(["device", "register", "--dir", camera, "--server", verifierUrl]);
  await cli(["device", "capture", "--dir", camera, "--width", "320", "--height", "240"]);
  assert.match(await cli(["device", "update", "--dir", camera]), /firmware 1\.0\.0 is up to date/);

  writeFileSync(at("acme-x1-1.1.0.bin"), firmwareImage("1.1.0", 256 * 1024));
  const released = await cli([
    "firmware", "release",
    "--image", at("acme-x1-1.1.0.bin"), "--version", "1.1.0", "--model", MODEL,
    "--key", at("vendor/firmware"), "--cosigner", cosignerUrl, "--operator", "ada", "--totp", totpCodeAt(secret, Date.now()),
    "--server", verifierUrl, "--expires-days", "7",
  ]);
  assert.match(released, /released Acme X1 1\.1\.0 \(262144 bytes/);

  assert.match(await cli(["device", "update", "--dir", camera]), /firmware 1\.1\.0 installed in slot a \(was 1\.0\.0/);
  const booted = JSON.parse(await cli(["device", "firmware", "--dir", camera, "--json"]));
  assert.deepEqual(booted.booted, { slot: "a", version: "1.1.0" });
  assert.deepEqual(booted.slots[0], { slot: "a", verified: true, version: "1.1.0" });

  await cli(["device", "capture", "--dir", camera, "--width", "320", "--height", "240"]);
  assert.match(await cli(["device", "sync", "--dir", camera]), /synced: 2 recorded/);
  const recorded = (await world.verifier.services.db.execute("SELECT counter, firmware FROM captures ORDER BY counter")).rows.map((row) => [Number(row.counter), String(row.firmware)]);
  assert.deepEqual(recorded, [[1, "1.0.0"], [2, "1.1.0"]]);
  const newest = readdirSync(join(camera, "captures")).sort().at(-1)!;
  const verdict = JSON.parse((await snapseal(["verify", join(camera, "captures", newest), "--server", verifierUrl, "--json"])).stdout);
  assert.equal(verdict.payload.meta.firmware, "1.1.0");

  const log = JSON.parse(await cli(["cosigner", "log", "--dir", at("cosigner"), "--json"]));
  assert.deepEqual(log.map((row: { outcome: string; operator: string; version: string }) => [row.outcome, row.operator, row.version]), [["granted", "ada", "1.1.0"]]);
});
