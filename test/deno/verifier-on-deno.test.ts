import "reflect-metadata";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { X509Certificate } from "@peculiar/x509";
import { type Camera, openCamera } from "../../device/camera.ts";
import { manufactureCamera } from "../../device/manufacture/manufacture-camera.ts";
import { type VendorCa, createVendorCa } from "../../device/manufacture/vendor-ca.ts";
import { registerCamera } from "../../device/register.ts";
import { syncQueue } from "../../device/sync.ts";
import { OwnerClient, TestClock } from "../support/owner-client.ts";
import { capture } from "../support/world.ts";
import { writeWebAssets } from "../../web/build.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const denoBinary = join(root, "node_modules", ".bin", "deno");
const LISTEN_LINE = /^SnapSeal verifier listening on (http:\/\/127\.0\.0\.1:\d+)$/m;

let dir: string;
let child: ChildProcess | undefined;
let ca: VendorCa;
let url: string;

/** One Deno verifier for every test below, on a fresh database, with the wall clock (Deno's own). */
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "snapseal-deno-"));
  ca = await createVendorCa({ vendor: "Acme Optics", country: "DE" });
  const rootsFile = join(dir, "vendor-root.pem");
  writeFileSync(rootsFile, new X509Certificate(ca.certificate as Uint8Array<ArrayBuffer>).toString("pem"));

  const serverDir = join(dir, "verifier");
  // What `npm run build:web` writes, for the Deno verifier to serve.
  const webDir = join(dir, "web");
  await writeWebAssets(webDir);
  child = spawn(
    denoBinary,
    [
      "run",
      "--no-lock",
      "--node-modules-dir=manual",
      "--no-prompt",
      "--allow-net=127.0.0.1",
      "--allow-read",
      `--allow-write=${serverDir}`,
      "--allow-env",
      "--allow-ffi",
      "--allow-sys=cpus,networkInterfaces,hostname",
      "verifier/deno.ts",
    ],
    {
      cwd: root,
      env: {
        ...cleanEnv(),
        NO_COLOR: "1",
        DATABASE_URL: `file:${join(serverDir, "verifier.db")}`,
        PORT: "0",
        SNAPSEAL_TRUSTED_ROOTS: rootsFile,
        SNAPSEAL_WEB_DIR: webDir,
        // The cheapest cost the verifier accepts: the owner test hashes two passwords.
        SNAPSEAL_PASSWORD_COST_LOG2: "14",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  url = await waitForListenLine(child, 60_000);
});

after(async () => {
  if (child) await stopChild(child);
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The same verifier app, served by verifier/deno.ts under Deno, driven over
 * HTTP by the real camera code running in Node: register, capture offline,
 * sync, then check a photo and look its capture up.
 */
test("the verifier runs on Deno and serves a camera end to end", { timeout: 240_000 }, async (t) => {
  let camera: Camera | undefined;
  t.after(() => camera?.db.close());

  const health = await fetch(`${url}/healthz`);
  assert.deepEqual(await health.json(), { ok: true });

  const cameraDir = join(dir, "camera");
  const serial = `SN-DENO-${process.pid}`;
  await manufactureCamera(ca, { dir: cameraDir, serial, model: "Acme X1", firmware: "1.0.0" });
  camera = await openCamera(cameraDir);
  const registered = await registerCamera(camera, url);
  assert.equal(registered.serial, serial);

  // Offline: sealing and queueing touch only the camera.
  const first = await capture(camera, 101);
  const second = await capture(camera, 102);

  const report = await syncQueue(camera);
  assert.equal(report.recorded, 2, JSON.stringify(report));
  assert.equal(report.alreadyRecorded, 0);
  assert.deepEqual(report.rejected, []);

  const check = await fetch(`${url}/v1/provenance/check`, {
    method: "POST",
    headers: { "content-type": "image/jpeg" },
    body: second.sealed.jpeg as Uint8Array<ArrayBuffer>,
  });
  assert.equal(check.status, 200);
  const verdict = (await check.json()) as {
    verdict: string;
    captureId?: string;
    payload?: { source: string; counter: number };
    recorded: { captureId: string } | null;
    device: { serial: string } | null;
  };
  assert.equal(verdict.verdict, "authentic", JSON.stringify(verdict));
  assert.equal(verdict.device?.serial, serial);
  assert.equal(verdict.payload?.source, "sensor");
  assert.equal(verdict.payload?.counter, second.sealed.payload.counter);
  assert.ok(verdict.recorded, "the checked photo was recorded at sync");
  assert.equal(verdict.recorded.captureId, verdict.captureId);

  const queued = (await camera.db.execute({ sql: "SELECT capture_id FROM queue WHERE seq = ?", args: [second.seq] })).rows[0];
  assert.equal(String(queued?.capture_id), verdict.captureId);

  const lookup = await fetch(`${url}/v1/captures/${verdict.captureId}`);
  assert.equal(lookup.status, 200);
  const recorded = (await lookup.json()) as { id: string; source: string; counter: number; device: { serial: string }; chain: { position: number; previousId: string | null } };
  assert.equal(recorded.id, verdict.captureId);
  assert.equal(recorded.source, "sensor");
  assert.equal(recorded.counter, second.sealed.payload.counter);
  assert.equal(recorded.device.serial, serial);
  assert.equal(recorded.chain.position, 2);
  const firstId = (await camera.db.execute({ sql: "SELECT capture_id FROM queue WHERE seq = ?", args: [first.seq] })).rows[0]?.capture_id;
  assert.equal(recorded.chain.previousId, String(firstId));
});

/**
 * An owner account on the Deno verifier, through OwnerClient over HTTP: sign
 * up, enrol TOTP with a code from the secret shown, sign in with password and
 * code, read /me. The server keeps the wall clock, so both codes come from
 * one timestamp t0, the authenticator clock's start, taken once: the
 * enrolment code is for step s = step(t0), the sign-in code for s + 1
 * (OwnerClient moves its clock one step on per code), so they are distinct
 * and neither is refused as reused. The server checks each at a time T >= t0,
 * so at a step of at least s, and accepts steps within one of its own: the
 * enrolment code holds while T < (s + 2) * 30 s and the sign-in code while
 * T < (s + 3) * 30 s, that is for at least 30 s and 60 s after t0 wherever in
 * step s t0 falls (even at its last millisecond). What happens after t0 is
 * two password hashes at the lowest cost and a handful of requests: seconds.
 */
test("on Deno an owner signs up, enrols TOTP, signs in with password and code, and reads /me", { timeout: 120_000 }, async () => {
  const authenticatorClock = new TestClock(); // t0
  const owner = await OwnerClient.signUp(url, authenticatorClock, { displayName: "Deno Owner" });
  const enrolment = await owner.request("POST", "/v1/account/totp/enrol");
  assert.equal(enrolment.status, 200, JSON.stringify(enrolment.body));
  owner.totpSecret = enrolment.body.base32;
  const confirmed = await owner.request("POST", "/v1/account/totp/confirm", { code: owner.totpCode() });
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
  assert.equal(confirmed.body.session.state, "full");
  await owner.signOut();
  assert.equal((await owner.request("GET", "/v1/account/me")).status, 401);

  const password = await owner.request("POST", "/v1/account/signin", { email: owner.email, password: owner.password });
  assert.equal(password.status, 200, JSON.stringify(password.body));
  assert.equal(password.body.session.state, "awaiting_code");
  const code = await owner.request("POST", "/v1/account/signin/code", { code: owner.totpCode() });
  assert.equal(code.status, 200, JSON.stringify(code.body));
  assert.equal(code.body.session.state, "full");

  const me = await owner.request("GET", "/v1/account/me");
  assert.equal(me.status, 200, JSON.stringify(me.body));
  assert.deepEqual([me.body.id, me.body.email, me.body.displayName, me.body.recoveryCodesLeft], [owner.ownerId, owner.email, "Deno Owner", 10]);
});

test("on Deno the web pages are served as npm run build:web wrote them, under the same policy", async () => {
  const page = await fetch(`${url}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
  assert.match(page.headers.get("content-security-policy") ?? "", /script-src 'self'/);
  assert.match(await page.text(), /<title>Check a photo · SnapSeal<\/title>/);
  const script = await fetch(`${url}/assets/check.js`);
  assert.equal(script.status, 200);
  assert.match(script.headers.get("content-type") ?? "", /^text\/javascript/);
  assert.ok((await script.arrayBuffer()).byteLength > 10_000);
  assert.equal((await fetch(`${url}/account`)).status, 200);
  assert.equal((await fetch(`${url}/assets/nothing.js`)).status, 404);
});

test("SIGTERM shuts the Deno verifier down and closes the database; the process exits cleanly", { timeout: 60_000 }, async () => {
  assert.ok(child, "the verifier is running");
  const exited = await stopChild(child);
  child = undefined;
  assert.deepEqual(exited, { code: 0, signal: null });
});

/** The parent's environment without verifier settings that could leak into the child. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("SNAPSEAL_") && !name.startsWith("DATABASE_") && name !== "PORT"));
}

function waitForListenLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    const fail = (why: string) => {
      cleanup();
      reject(new Error(`${why}\n--- deno stdout ---\n${stdout}\n--- deno stderr ---\n${stderr}`));
    };
    const onStdout = (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      const match = LISTEN_LINE.exec(stdout);
      if (match) {
        cleanup();
        resolve(match[1]!);
      }
    };
    const onStderr = (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => fail(`deno exited before listening (code ${code}, signal ${signal})`);
    const onError = (error: Error) => fail(`cannot start deno: ${error.message}`);
    const timer = setTimeout(() => fail(`deno did not print the listen line within ${timeoutMs} ms`), timeoutMs);
    function cleanup() {
      clearTimeout(timer);
      child.stdout!.off("data", onStdout);
      child.off("exit", onExit);
      child.off("error", onError);
      // Keep draining stderr so the child never blocks on a full pipe; forward it for debugging.
      child.stderr!.off("data", onStderr);
      child.stderr!.on("data", (chunk: Buffer) => process.stderr.write(chunk));
      child.stdout!.resume();
    }
    child.stdout!.on("data", onStdout);
    child.stderr!.on("data", onStderr);
    child.once("exit", onExit);
    child.once("error", onError);
  });
}

/** SIGTERM, and SIGKILL if the child is still there after a grace period. */
function stopChild(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    const grace = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.once("exit", (code, signal) => {
      clearTimeout(grace);
      resolve({ code, signal });
    });
    child.kill("SIGTERM");
  });
}
