// Bad input on every lifecycle route and on the device CLI commands: a 4xx
// with a stable JSON code (never a 500), and nothing stored changes. After each
// test the lifecycle tables and the credentials are compared with the state
// before it (afterEach), so the test that changes stored data is the one that
// fails. Device challenges are left out: issuing one is a good request, and
// a refused request may leave its challenge unspent until it expires.

import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import type { Camera } from "../../device/camera.ts";
import { proveCredential } from "../../device/device-assertion.ts";
import { toBase64Url, toHex, utf8 } from "../../src/bytes.ts";
import { encodeClientData } from "../../src/webauthn/client-data.ts";
import { httpStatusFor } from "../../verifier/http-errors.ts";
import type { ErrorCode } from "../../src/errors.ts";
import { runCli, startCli } from "../support/cli.ts";
import { OwnerClient, type TestClock } from "../support/owner-client.ts";
import type { World } from "../support/world.ts";
import { captureAndSync, credentialIdOf, lifecycleWorld, pairWith } from "./lifecycle-world.ts";

let world: World;
let clock: TestClock;
let owner: OwnerClient;
let owned: Camera;
let ownedId: string;
let unowned: Camera;
let unregistered: Camera;
let baseline: string[];

const TABLES = ["credentials", "ownership", "pairing_codes", "transfers", "theft_reports", "reregistrations", "audit_log", "attempt_failures"];

async function snapshot(): Promise<string[]> {
  const { db } = world.verifier.services;
  const rows: string[] = [];
  for (const table of TABLES) {
    const result = await db.execute(`SELECT * FROM ${table} ORDER BY rowid`);
    for (const row of result.rows) {
      rows.push(`${table} ${JSON.stringify(result.columns.map((column) => (row[column] instanceof ArrayBuffer ? toHex(new Uint8Array(row[column])) : row[column])))}`);
    }
  }
  return rows;
}

before(async () => {
  ({ world, clock } = await lifecycleWorld());
  owner = await OwnerClient.signUpAndEnrol(world.verifier.url, clock, { displayName: "Careful Owner" });
  owned = await world.newCamera();
  ownedId = await pairWith(owner, owned, "Owned");
  assert.ok((await captureAndSync(owned, clock, 1)).captureId);
  unowned = await world.newCamera();
  unregistered = await world.newCamera(undefined, { register: false });
  baseline = await snapshot();
});
after(() => world.close());
afterEach(async () => {
  const now = await snapshot();
  try {
    assert.deepEqual(now, baseline, "stored lifecycle rows are unchanged");
  } finally {
    baseline = now;
  }
});

async function expectError(answer: { status: number; body: any; headers: Headers }, code: ErrorCode, what: string): Promise<void> {
  assert.equal(answer.status, httpStatusFor(code), `${what}: ${JSON.stringify(answer.body)}`);
  assert.ok(answer.status >= 400 && answer.status < 500, what);
  assert.match(answer.headers.get("content-type") ?? "", /^application\/json/, what);
  assert.deepEqual(Object.keys(answer.body), ["error"], what);
  assert.equal(answer.body.error.code, code, what);
  assert.equal(typeof answer.body.error.message, "string", what);
}

async function raw(method: string, path: string, body: string | undefined, contentType = "application/json") {
  const response = await fetch(`${world.verifier.url}${path}`, { method, ...(body === undefined ? {} : { body, headers: { "content-type": contentType } }) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) };
}

const json = (value: unknown) => JSON.stringify(value);
const b64 = (text: string) => toBase64Url(utf8(text));

/** Bodies no JSON route takes: each is refused as bad_request. */
const notAnObject: [string, string | undefined, string?][] = [
  ["no body", undefined],
  ["empty body", ""],
  ["malformed JSON", "{"],
  ["JSON null", "null"],
  ["a JSON array", "[]"],
  ["a JSON string", '"text"'],
  ["a JSON number", "42"],
  ["text/plain", "{}", "text/plain"],
];

describe("device routes", () => {
  const deviceRoutes = ["/v1/devices/challenge", "/v1/devices/pairing-codes", "/v1/devices/pairing-codes/poll", "/v1/devices/status"];

  test("a body that is not a JSON object is bad_request on every device route", async () => {
    for (const path of deviceRoutes) {
      for (const [what, body, type] of notAnObject) await expectError(await raw("POST", path, body, type), "bad_request", `${path}: ${what}`);
    }
  });

  test("a body over 16 KB is body_too_large on every device route", async () => {
    for (const path of deviceRoutes) await expectError(await raw("POST", path, json({ credentialId: "A".repeat(20_000) })), "body_too_large", path);
  });

  test("challenge: a missing, mistyped, non-base64url or oversized credential id, or an unknown purpose, is bad_request", async () => {
    const credentialId = await credentialIdOf(unowned);
    for (const body of [
      {},
      { purpose: "pair" },
      { credentialId: 7, purpose: "pair" },
      { credentialId: "not base64url!", purpose: "pair" },
      { credentialId: "A".repeat(1401), purpose: "pair" },
      { credentialId, purpose: "own" },
      { credentialId, purpose: ["pair"] },
      { credentialId },
    ]) {
      await expectError(await raw("POST", "/v1/devices/challenge", json(body)), "bad_request", json(body).slice(0, 80));
    }
  });

  test("pairing-codes and status: missing or malformed assertion fields are bad_request", async () => {
    const credentialId = await credentialIdOf(unowned);
    const fields = { credentialId, clientDataJSON: b64("{}"), authenticatorData: b64("x"), signature: b64("x") };
    for (const path of ["/v1/devices/pairing-codes", "/v1/devices/status"]) {
      for (const [field, value] of [
        ["clientDataJSON", undefined],
        ["clientDataJSON", 1],
        ["clientDataJSON", "%%%"],
        ["clientDataJSON", "A".repeat(2049)],
        ["authenticatorData", undefined],
        ["authenticatorData", "A".repeat(513)],
        ["signature", null],
        ["signature", "A".repeat(257)],
        ["credentialId", ""],
      ] as [string, unknown][]) {
        await expectError(await raw("POST", path, json({ ...fields, [field]: value })), "bad_request", `${path} ${field}=${json(value)?.slice(0, 20)}`);
      }
    }
  });

  test("pairing-codes: garbage inside well-formed fields is refused with the failing check's code", async () => {
    const credentialId = await credentialIdOf(unowned);
    const proof = await proveCredential(unowned, world.verifier.url, "pair");
    const cases: [string, Record<string, string>, ErrorCode][] = [
      ["unknown credential", { ...proof, credentialId: "C".repeat(43) }, "credential_unknown"],
      ["client data not JSON", { ...proof, clientDataJSON: b64("\u0000garbage") }, "client_data_malformed"],
      ["client data a JSON array", { ...proof, clientDataJSON: b64("[]") }, "client_data_malformed"],
      ["a registration's client data", { ...proof, clientDataJSON: toBase64Url(encodeClientData("webauthn.create", new Uint8Array(32), "https://snapseal.localhost")) }, "client_data_type_mismatch"],
      ["a challenge that is not base64url", { ...proof, clientDataJSON: b64(json({ type: "webauthn.get", challenge: "!!", origin: "x" })) }, "device_challenge_invalid"],
      ["a challenge never issued", { ...proof, clientDataJSON: toBase64Url(encodeClientData("webauthn.get", new Uint8Array(32), "https://snapseal.localhost")) }, "device_challenge_invalid"],
    ];
    for (const [what, body, code] of cases) await expectError(await raw("POST", "/v1/devices/pairing-codes", json(body)), code, what);
    // With a live challenge, the authenticator data is parsed next: random bytes are malformed.
    const fresh = await proveCredential(unowned, world.verifier.url, "pair");
    await expectError(await raw("POST", "/v1/devices/pairing-codes", json({ ...fresh, credentialId, authenticatorData: b64("random bytes") })), "authenticator_data_malformed", "authenticatorData");
  });

  test("poll: a missing, mistyped or oversized secret is bad_request; an unknown one not_found", async () => {
    for (const body of [{}, { pollSecret: 1 }, { pollSecret: "" }, { pollSecret: "x".repeat(129) }]) {
      await expectError(await raw("POST", "/v1/devices/pairing-codes/poll", json(body)), "bad_request", json(body).slice(0, 40));
    }
    await expectError(await raw("POST", "/v1/devices/pairing-codes/poll", json({ pollSecret: "x".repeat(43) })), "not_found", "unknown secret");
  });
});

describe("owner routes", () => {
  const send = (method: string, path: string, body: string | undefined, contentType = "application/json") =>
    owner.send(method, path, body === undefined ? {} : { body, headers: { "content-type": contentType } });

  test("pair and accept-transfer: bodies that are not JSON objects, and bad codes or names, are bad_request", async () => {
    for (const path of ["/v1/owner/devices/pair", "/v1/owner/devices/accept-transfer"]) {
      for (const [what, body, type] of notAnObject) await expectError(await send("POST", path, body, type), "bad_request", `${path}: ${what}`);
      for (const body of [
        { name: "Camera" },
        { code: 12345, name: "Camera" },
        { code: "", name: "Camera" },
        { code: "A".repeat(33), name: "Camera" },
        { code: "ABCDE-FGHJK" },
        { code: "ABCDE-FGHJK", name: 7 },
        { code: "ABCDE-FGHJK", name: "" },
        { code: "ABCDE-FGHJK", name: "   " },
        { code: "ABCDE-FGHJK", name: "n".repeat(65) },
        { code: "ABCDE-FGHJK", name: "bell\u0007" },
        { code: "ABCDE-FGHJK", name: "line\nbreak" },
      ]) {
        await expectError(await owner.request("POST", path, body), "bad_request", `${path} ${json(body).slice(0, 60)}`);
      }
    }
  });

  test("rename: bad names are bad_request and the name stays", async () => {
    for (const body of [{}, { name: null }, { name: "" }, { name: "x".repeat(65) }, { name: "\u0000" }, { name: ["a"] }]) {
      await expectError(await owner.request("PATCH", `/v1/owner/devices/${ownedId}`, body), "bad_request", json(body));
    }
    for (const [what, body, type] of notAnObject) await expectError(await send("PATCH", `/v1/owner/devices/${ownedId}`, body, type), "bad_request", what);
    assert.equal((await owner.request("GET", `/v1/owner/devices/${ownedId}`)).body.device.name, "Owned");
  });

  test("a device id that cannot be a credential id names no device: not_found on every device route", async () => {
    for (const id of ["x", "%00", "a".repeat(1401), "..%2F..%2Fcaptures", "not-base64url!!!!!!!!!!!!!!"]) {
      for (const [method, suffix, body] of [
        ["GET", ""],
        ["PATCH", "", { name: "n" }],
        ["POST", "/revoke"],
        ["POST", "/report-stolen"],
        ["POST", "/transfer"],
        ["POST", "/approve"],
        ["POST", "/refuse"],
        ["GET", "/captures"],
      ] as [string, string, unknown?][]) {
        await expectError(await owner.request(method, `/v1/owner/devices/${id}${suffix}`, body), "not_found", `${method} ${id.slice(0, 20)}${suffix}`);
      }
    }
  });

  test("captures and audit pages: a limit or cursor that is not a positive integer in range is bad_request", async () => {
    for (const path of [`/v1/owner/devices/${ownedId}/captures`, "/v1/owner/audit"]) {
      for (const query of ["limit=0", "limit=-1", "limit=abc", "limit=1.5", "limit=100000", "before=0", "before=x", "before=1e3", `before=${"9".repeat(17)}`]) {
        await expectError(await owner.request("GET", `${path}?${query}`), "bad_request", `${path}?${query}`);
      }
    }
    const page = await owner.request("GET", `/v1/owner/devices/${ownedId}/captures?limit=1`);
    assert.equal(page.status, 200);
    assert.equal(page.body.captures.length, 1);
  });

  test("a body over 16 KB is body_too_large on owner routes", async () => {
    await expectError(await owner.request("POST", "/v1/owner/devices/pair", { code: "ABCDE-FGHJK", name: "n".repeat(20_000) }), "body_too_large", "pair");
    await expectError(await owner.request("PATCH", `/v1/owner/devices/${ownedId}`, { name: "n".repeat(20_000) }), "body_too_large", "rename");
  });
});

describe("device CLI", () => {
  const expectRefusal = (result: { code: number; stdout: string; stderr: string }, exit: number, message: RegExp) => {
    assert.equal(result.code, exit, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stderr, message);
  };

  test("missing or malformed options: a usage message and exit 64", async () => {
    expectRefusal(await runCli(["device", "pair"]), 64, /--dir is required/);
    expectRefusal(await runCli(["device", "status"]), 64, /--dir is required/);
    expectRefusal(await runCli(["device", "pair", "--dir", owned.paths.dir, "--timeout", "soon"]), 64, /--timeout must be a positive integer/);
    expectRefusal(await runCli(["device", "pair", "--dir", owned.paths.dir, "--timeout", "0"]), 64, /--timeout must be a positive integer/);
    expectRefusal(await runCli(["device", "status", "--dir", owned.paths.dir, "--colour"]), 64, /Unknown option '--colour'/);
  });

  test("a directory without a camera: a message and a non-zero exit", async () => {
    const result = await runCli(["device", "pair", "--dir", `${world.dir}/no-camera-here`]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /holds no camera/);
  });

  test("an unregistered camera cannot pair, and its status says it is not registered (exit 1)", async () => {
    const pairing = await runCli(["device", "pair", "--dir", unregistered.paths.dir, "--server", world.verifier.url]);
    assert.notEqual(pairing.code, 0);
    assert.match(pairing.stderr, /no registered credential/);
    const status = await runCli(["device", "status", "--dir", unregistered.paths.dir, "--server", world.verifier.url]);
    assert.equal(status.code, 1);
    assert.match(status.stdout, /not registered/);
  });

  test("an owned camera asked to pair again is refused by the verifier (exit 65)", async () => {
    expectRefusal(await runCli(["device", "pair", "--dir", owned.paths.dir]), 65, /device_already_owned/);
  });

  test("an unreachable verifier: exit 69", async () => {
    expectRefusal(await runCli(["device", "status", "--dir", owned.paths.dir, "--server", "http://127.0.0.1:1"]), 69, /cannot reach the verifier/);
    expectRefusal(await runCli(["device", "pair", "--dir", unowned.paths.dir, "--server", "http://127.0.0.1:1"]), 69, /cannot reach the verifier/);
  });

  test("a pairing code that expires while the CLI waits: a message and exit 1", async () => {
    const pairing = startCli(["device", "pair", "--dir", unowned.paths.dir]);
    await pairing.output(/Waiting for an owner/);
    clock.advance(world.verifier.services.config.pairingCodeTtlMs);
    const done = await pairing.exited;
    assert.equal(done.code, 1, done.stderr);
    assert.match(done.stderr, /the pairing code expired before an owner entered it/);
    // Showing a code was a good request: it stored the code and its audit entry, and nothing else.
    const now = await snapshot();
    const added = now.filter((row) => !baseline.includes(row));
    assert.deepEqual(
      added.map((row) => row.split(" ")[0]),
      ["pairing_codes", "audit_log"],
    );
    assert.match(added[1]!, /"pairing_code_issued"/);
    baseline = now;
  });
});
