// Acceptance: "bad input on every new route: garbage (wrong types, huge
// strings, missing fields, non-JSON, wrong content type, unicode junk) gets a
// 4xx with a stable code, never a 500, and stored rows are unchanged."
//
// One real verifier (127.0.0.1, its own libSQL file) with three owners, one at
// each sign-in step: fully signed in, waiting for a code, and enrolling TOTP
// (enrolment started). Every hostile request goes over HTTP on the session the
// route needs, so it is the input that is refused, not a missing session.
// After each test the stored accounts, sessions, codes, used TOTP steps,
// failure counts and key checks are compared with the snapshot taken before
// it (afterEach), so the test that changes stored data is the one that fails.

import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { toHex } from "../../src/bytes.ts";
import type { ErrorCode } from "../../src/errors.ts";
import { OwnerClient, type OwnerResponse, TestClock } from "../support/owner-client.ts";
import { type World, createWorld } from "../support/world.ts";

const clock = new TestClock();
let world: World;
let url: string;
let signedIn: OwnerClient;
let awaitingCode: OwnerClient;
let enrolling: OwnerClient;
let baseline: string[];

before(async () => {
  world = await createWorld({ passwordCostLog2: 10 }, { now: clock.now });
  url = world.verifier.url;
  signedIn = await OwnerClient.signUpAndEnrol(url, clock);
  awaitingCode = await OwnerClient.signUpAndEnrol(url, clock);
  await awaitingCode.signOut();
  assert.equal((await awaitingCode.request("POST", "/v1/account/signin", { email: awaitingCode.email, password: awaitingCode.password })).status, 200);
  enrolling = await OwnerClient.signUp(url, clock);
  assert.equal((await enrolling.request("POST", "/v1/account/totp/enrol")).status, 200);
  baseline = await snapshot();
});
after(() => world?.close());

afterEach(async () => {
  const now = await snapshot();
  try {
    assert.deepEqual(now, baseline, "stored owners, sessions, codes, used steps, failure counts and key checks are unchanged");
  } finally {
    baseline = now;
  }
});

async function snapshot(): Promise<string[]> {
  const { db } = world.verifier.services;
  const rows: string[] = [];
  for (const table of ["owners", "sessions", "recovery_codes", "totp_steps_used", "attempt_failures", "key_checks"]) {
    const result = await db.execute(`SELECT * FROM ${table} ORDER BY rowid`);
    for (const row of result.rows) {
      rows.push(`${table} ${JSON.stringify(result.columns.map((column) => (row[column] instanceof ArrayBuffer ? toHex(new Uint8Array(row[column])) : row[column])))}`);
    }
  }
  return rows;
}

function expectError(response: OwnerResponse, status: number, code: ErrorCode): void {
  assert.equal(response.status, status, `status; body ${JSON.stringify(response.body).slice(0, 300)}`);
  assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
  assert.deepEqual(Object.keys(response.body), ["error"]);
  assert.equal(response.body.error.code, code);
  assert.equal(typeof response.body.error.message, "string");
}

// ---------------------------------------------------------------------------
// The routes that take a JSON body, each with a valid body to spoil and the client whose session it needs.

interface BodyRoute {
  path: string;
  client: () => OwnerClient;
  fields: string[];
  valid: () => Record<string, unknown>;
}

const stranger = () => new OwnerClient(url, clock, "", "", "");
const bodyRoutes: BodyRoute[] = [
  { path: "/v1/account/signup", client: stranger, fields: ["email", "displayName", "password"], valid: () => ({ email: "new-owner@example.org", displayName: "New Owner", password: "a long enough password" }) },
  // A well-formed sign-in with a wrong password is a failed attempt, not bad input: such values are left out below.
  { path: "/v1/account/signin", client: stranger, fields: ["email", "password"], valid: () => ({ email: signedIn.email, password: signedIn.password }) },
  { path: "/v1/account/signin/code", client: () => awaitingCode, fields: ["code"], valid: () => ({ code: "123456" }) },
  { path: "/v1/account/totp/confirm", client: () => enrolling, fields: ["code"], valid: () => ({ code: "123456" }) },
];

const HUGE = "x".repeat(10_000);
const LONE_SURROGATE = "\ud800";

/** Raw bodies sent as application/json, refused whatever the route. */
const rawBodies: [name: string, body: string, status: number, code: ErrorCode][] = [
  ["an empty body", "", 400, "bad_request"],
  ["non-JSON text", "email=a&password=b", 400, "bad_request"],
  ["truncated JSON", '{"email": "a@example.org", "pass', 400, "bad_request"],
  ["JSON null", "null", 400, "bad_request"],
  ["a JSON array", '["a@example.org", "password123"]', 400, "bad_request"],
  ["a JSON number", "123456", 400, "bad_request"],
  ["a JSON string", '"123456"', 400, "bad_request"],
  ["an empty object", "{}", 400, "bad_request"],
  ["a body over the 16 KiB limit", JSON.stringify({ email: "x".repeat(20_000) }), 413, "body_too_large"],
  ["5 000 nested arrays", `${"[".repeat(5000)}${"]".repeat(5000)}`, 400, "bad_request"],
];

/** Values each field of a route's valid body is replaced with, in turn. */
const badValues: [name: string, value: unknown][] = [
  ["missing", undefined],
  ["null", null],
  ["a number", 123456],
  ["a boolean", true],
  ["an array", ["123456"]],
  ["an object", { value: "123456" }],
  ["an empty string", ""],
  ["10 000 characters", HUGE],
  ["a lone surrogate", `12${LONE_SURROGATE}456`],
  ["a NUL and control characters", "12\u0000\u0007456"],
  ["a right-to-left override", "\u202e654321"],
  ["undecodable bytes' replacement characters", "\ufffd\ufffd\ufffd"],
];

/** Which of these a field legitimately accepts: a password may be any well-formed text of a fitting length. */
const acceptedBy: Record<string, Set<string>> = {
  password: new Set(["a NUL and control characters", "a right-to-left override", "undecodable bytes' replacement characters"]),
};

describe("every route that takes a body refuses garbage", () => {
  for (const route of bodyRoutes) {
    describe(route.path, () => {
      for (const [name, body, status, code] of rawBodies) {
        it(`refuses ${name}`, async () => {
          // A body refused unread closes its connection (see test/verifier/bad-input.test.ts).
          const headers: Record<string, string> = { "content-type": "application/json", ...(status === 413 ? { connection: "close" } : {}) };
          expectError(await route.client().send("POST", route.path, { body, headers }), status, code);
        });
      }

      for (const contentType of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonp", undefined]) {
        it(`refuses a valid body sent as ${contentType ?? "no content type"}`, async () => {
          const headers: Record<string, string> = contentType ? { "content-type": contentType } : {};
          const response = await route.client().send("POST", route.path, { body: new Blob([JSON.stringify(route.valid())]), headers });
          expectError(response, 415, "unsupported_media_type");
        });
      }

      for (const field of route.fields) {
        for (const [name, value] of badValues) {
          if (acceptedBy[field]?.has(name)) continue;
          it(`refuses ${field} as ${name}`, async () => {
            const body = { ...route.valid(), [field]: value };
            expectError(await route.client().request("POST", route.path, body), 400, "bad_request");
          });
        }
      }
    });
  }

  it("sign-up refuses a malformed email address, a short password and an empty display name", async () => {
    const valid = bodyRoutes[0]!.valid();
    for (const spoilt of [
      { email: "no-at-sign.example.org" },
      { email: "two@@example.org" },
      { email: "spaces in@example.org" },
      { email: `${"a".repeat(250)}@example.org` },
      { password: "short" },
      { displayName: "   " },
      { displayName: "a".repeat(81) },
    ]) {
      expectError(await stranger().request("POST", "/v1/account/signup", { ...valid, ...spoilt }), 400, "bad_request");
    }
  });

  it("a code must be six ASCII digits, and a recovery code sixteen base32 characters; the step takes exactly one of them", async () => {
    for (const body of [
      { code: "12345" },
      { code: "1234567" },
      { code: "１２３４５６" },
      { code: "12345a" },
      { code: "123456", recoveryCode: "abcd-efgh-jkmn-pqrs" },
      { recoveryCode: "abcd-efgh-jkmn-pqr" },
      { recoveryCode: "abcd-efgh-ijkl-mnop" },
      { recoveryCode: "💩".repeat(16) },
      { recoveryCode: 1234 },
      { codes: "123456" },
    ]) {
      expectError(await awaitingCode.request("POST", "/v1/account/signin/code", body), 400, "bad_request");
    }
  });
});

// ---------------------------------------------------------------------------
// What every route reads besides a body: the session cookie, the CSRF token, the path.

const sessionRoutes: [method: string, path: string][] = [
  ["POST", "/v1/account/signin/code"],
  ["POST", "/v1/account/totp/enrol"],
  ["POST", "/v1/account/totp/confirm"],
  ["GET", "/v1/account/me"],
  ["GET", "/v1/account/session"],
  ["GET", "/v1/account/sessions"],
  ["DELETE", "/v1/account/sessions/AAAAAAAAAAAAAAAAAAAAAA"],
  ["POST", "/v1/account/signout"],
];

const badCookies: [name: string, cookie: string][] = [
  ["no cookie", ""],
  ["a token of the wrong shape", "__Host-snapseal_session=garbage"],
  ["a well-formed token no session has", `__Host-snapseal_session=${"A".repeat(43)}`],
  ["the cookie under the plain-http name", `snapseal_session=${"A".repeat(43)}`],
  ["a 6 000-byte cookie", `__Host-snapseal_session=${"A".repeat(6000)}`],
  ["a broken percent-encoding", "__Host-snapseal_session=%E0%A4%A"],
  ["percent-encoded unicode junk", "__Host-snapseal_session=%F0%9F%92%A9%00%ED%A0%80"],
  ["a cookie header of separators", "=;;==; ;="],
];

describe("every session route refuses a missing or garbage session cookie", () => {
  for (const [method, path] of sessionRoutes) {
    for (const [name, cookie] of badCookies) {
      it(`${method} ${path} with ${name}`, async () => {
        const client = stranger();
        const headers: Record<string, string> = { "x-csrf-token": signedIn.csrfToken!, ...(cookie ? { cookie } : {}) };
        const takesBody = path.endsWith("/code") || path.endsWith("/confirm");
        const response = takesBody ? await client.request(method, path, { code: "123456" }, headers) : await client.send(method, path, { headers });
        expectError(response, 401, "session_required");
      });
    }
  }
});

describe("every state-changing session route refuses a garbage CSRF token", () => {
  const cases: [client: () => OwnerClient, method: string, path: string, body?: unknown][] = [
    [() => awaitingCode, "POST", "/v1/account/signin/code", { code: "123456" }],
    [() => enrolling, "POST", "/v1/account/totp/enrol"],
    [() => enrolling, "POST", "/v1/account/totp/confirm", { code: "123456" }],
    [() => signedIn, "DELETE", "/v1/account/sessions/AAAAAAAAAAAAAAAAAAAAAA"],
    [() => signedIn, "POST", "/v1/account/signout"],
  ];
  for (const [client, method, path, body] of cases) {
    for (const [name, token] of [
      ["an empty token", ""],
      ["a token one character short", () => client().csrfToken!.slice(1)],
      ["another session's token", () => (client() === signedIn ? awaitingCode : signedIn).csrfToken!],
      ["a 4 000-character token", "A".repeat(4000)],
      ["percent-encoded junk", "%00%FF%F0%9F"],
    ] as const) {
      it(`${method} ${path} with ${name}`, async () => {
        const headers = { "x-csrf-token": typeof token === "function" ? token() : token };
        expectError(await client().request(method, path, body, headers), 403, "csrf_invalid");
      });
    }
  }
});

describe("paths and methods", () => {
  for (const id of ["x", "A".repeat(5000), "%00", "%F0%9F%92%A9", "..%2F..%2Fme", "AAAAAAAAAAAAAAAAAAAAAA%00"]) {
    it(`DELETE /v1/account/sessions/<${id.slice(0, 24)}${id.length > 24 ? "…" : ""}> is not_found`, async () => {
      expectError(await signedIn.request("DELETE", `/v1/account/sessions/${id}`), 404, "not_found");
    });
  }
  for (const [method, path] of [
    ["PUT", "/v1/account/signin"],
    ["GET", "/v1/account/signup"],
    ["DELETE", "/v1/account/me"],
    ["PATCH", "/v1/account/sessions"],
    ["POST", "/v1/account/nothing-here"],
  ] as const) {
    it(`${method} ${path} is not_found`, async () => {
      expectError(await signedIn.request(method, path), 404, "not_found");
    });
  }
});

it("after all of it, each owner's session still works", async () => {
  assert.equal((await signedIn.request("GET", "/v1/account/me")).status, 200);
  assert.equal((await awaitingCode.request("GET", "/v1/account/session")).body.session.state, "awaiting_code");
  assert.equal((await enrolling.request("GET", "/v1/account/session")).body.session.state, "awaiting_enrolment");
});
