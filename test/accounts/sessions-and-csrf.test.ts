// Sessions and CSRF, over HTTP against a real verifier and its libSQL file:
// the cookie's attributes, server-side records that expire and can be
// revoked, and the CSRF token and Origin checks on every state-changing
// request. The verifier runs on a TestClock (see sign-in.test.ts).

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { toHex, utf8 } from "../../src/bytes.ts";
import { sha256 } from "../../src/crypto/sha256.ts";
import { defaultConfig } from "../../verifier/config.ts";
import { OwnerClient, TestClock } from "../support/owner-client.ts";
import { type World, createWorld } from "../support/world.ts";

const clock = new TestClock();
let world: World;
let url: string;

before(async () => {
  world = await createWorld({ passwordCostLog2: 10 }, { now: clock.now });
  url = world.verifier.url;
});
after(() => world?.close());

const sessionCookie = (owner: OwnerClient): [string, string] => [...owner.cookies][0]!;

/** A second browser holding a copy of another's cookies, without its CSRF token unless given. */
function copyOf(owner: OwnerClient, options: { csrf?: boolean } = {}): OwnerClient {
  const copy = new OwnerClient(owner.baseUrl, owner.clock, owner.email, owner.password, owner.displayName);
  for (const [name, value] of owner.cookies) copy.cookies.set(name, value);
  if (options.csrf) copy.csrfToken = owner.csrfToken;
  return copy;
}

describe("the session cookie", () => {
  test("is HttpOnly, SameSite=Strict, Path=/, and Secure with the __Host- prefix when the configured origin is https", async () => {
    assert.match(defaultConfig.origin, /^https:/);
    const signedUp = await fetch(`${url}/v1/account/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: `cookie-${process.pid}@example.org`, displayName: "C", password: "a long enough password" }),
    });
    assert.equal(signedUp.status, 201);
    const [cookie] = signedUp.headers.getSetCookie();
    assert.match(cookie!, /^__Host-snapseal_session=[A-Za-z0-9_-]{43};/);
    const attributes = cookie!.split(";").slice(1).map((attribute) => attribute.trim().toLowerCase());
    assert.ok(attributes.includes("httponly"));
    assert.ok(attributes.includes("samesite=strict"));
    assert.ok(attributes.includes("path=/"));
    assert.ok(attributes.includes("secure"));
    assert.ok(attributes.includes(`max-age=${defaultConfig.pendingSessionTtlMs / 1000}`));
  });

  test("is not Secure when both the request and the configured origin are plain http", async () => {
    const local = await createWorld({ passwordCostLog2: 10, origin: "http://127.0.0.1" }, { now: clock.now });
    try {
      const owner = await OwnerClient.signUp(local.verifier.url, clock);
      const [name] = sessionCookie(owner);
      assert.equal(name, "snapseal_session");
      const again = await owner.request("POST", "/v1/account/signin", { email: owner.email, password: owner.password });
      const cookie = again.headers.getSetCookie()[0]!.toLowerCase();
      assert.doesNotMatch(cookie, /;\s*secure/);
      assert.match(cookie, /;\s*httponly/);
    } finally {
      await local.close();
    }
  });

  test("names a server-side record that keeps the token's SHA-256, not the token", async () => {
    const owner = await OwnerClient.signUpAndEnrol(url, clock);
    const [, token] = sessionCookie(owner);
    const rows = (await world.verifier.services.db.execute({ sql: "SELECT * FROM sessions WHERE owner_id = ? AND revoked_at IS NULL", args: [owner.ownerId] })).rows;
    assert.equal(rows.length, 1);
    assert.equal(toHex(new Uint8Array(rows[0]!.token_hash as ArrayBuffer)), toHex(await sha256(utf8(token))));
    assert.doesNotMatch(JSON.stringify(Object.values(rows[0]!).map(String)), new RegExp(token));
  });
});

describe("session lifetime and revocation", () => {
  test("sign-out revokes the session server-side: the old cookie no longer works", async () => {
    const owner = await OwnerClient.signUpAndEnrol(url, clock);
    const stolen = copyOf(owner, { csrf: true });
    assert.equal((await stolen.request("GET", "/v1/account/me")).status, 200);
    await owner.signOut();
    assert.equal(owner.cookies.size, 0, "the browser is told to drop the cookie");
    const replayed = await stolen.request("GET", "/v1/account/me");
    assert.equal(replayed.status, 401);
    assert.equal(replayed.body.error.code, "session_required");
    const row = (await world.verifier.services.db.execute({ sql: "SELECT revoked_at FROM sessions WHERE owner_id = ? ORDER BY created_at DESC LIMIT 1", args: [owner.ownerId] })).rows[0]!;
    assert.equal(row.revoked_at, clock.now());
  });

  test("an owner lists their live sessions and revokes another one of them", async () => {
    const owner = await OwnerClient.signUpAndEnrol(url, clock);
    const laptop = new OwnerClient(url, clock, owner.email, owner.password, owner.displayName);
    laptop.totpSecret = owner.totpSecret;
    await laptop.signIn();

    const listed = await owner.request("GET", "/v1/account/sessions");
    assert.equal(listed.status, 200);
    assert.equal(listed.body.sessions.length, 2);
    const current = listed.body.sessions.filter((session: { current: boolean }) => session.current);
    assert.equal(current.length, 1);
    const other = listed.body.sessions.find((session: { current: boolean }) => !session.current);
    assert.equal(other.state, "full");

    const revoked = await owner.request("DELETE", `/v1/account/sessions/${other.id}`);
    assert.deepEqual([revoked.status, revoked.body], [200, { revoked: other.id }]);
    assert.equal((await laptop.request("GET", "/v1/account/me")).body.error.code, "session_required");
    assert.equal((await owner.request("GET", "/v1/account/me")).status, 200);
    assert.equal((await owner.request("GET", "/v1/account/sessions")).body.sessions.length, 1);
  });

  test("an owner cannot revoke, or see, another owner's session", async () => {
    const ada = await OwnerClient.signUpAndEnrol(url, clock);
    const bob = await OwnerClient.signUpAndEnrol(url, clock);
    const bobs = (await bob.request("GET", "/v1/account/sessions")).body.sessions;
    assert.equal(bobs.length, 1);
    assert.ok(!(await ada.request("GET", "/v1/account/sessions")).body.sessions.some((session: { id: string }) => session.id === bobs[0].id));
    const refused = await ada.request("DELETE", `/v1/account/sessions/${bobs[0].id}`);
    assert.deepEqual([refused.status, refused.body.error.code], [404, "not_found"]);
    assert.equal((await bob.request("GET", "/v1/account/me")).status, 200);
  });

  test("a session expires after its lifetime", async () => {
    const owner = await OwnerClient.signUpAndEnrol(url, clock);
    clock.advance(defaultConfig.sessionTtlMs - 1000);
    assert.equal((await owner.request("GET", "/v1/account/me")).status, 200);
    clock.advance(1000);
    assert.equal((await owner.request("GET", "/v1/account/me")).body.error.code, "session_required");
  });

  test("a half-signed-in session expires sooner, and cannot reach owner routes meanwhile", async () => {
    const owner = await OwnerClient.signUpAndEnrol(url, clock);
    await owner.signOut();
    const password = await owner.request("POST", "/v1/account/signin", { email: owner.email, password: owner.password });
    assert.equal(password.body.session.state, "awaiting_code");
    assert.equal((await owner.request("GET", "/v1/account/sessions")).body.error.code, "second_factor_required");
    clock.advance(defaultConfig.pendingSessionTtlMs);
    const late = await owner.request("POST", "/v1/account/signin/code", { code: owner.totpCode() });
    assert.deepEqual([late.status, late.body.error.code], [401, "session_required"]);
  });

  test("passing the second factor replaces the session: the token from before it signs nobody in", async () => {
    const owner = await OwnerClient.signUpAndEnrol(url, clock);
    await owner.signOut();
    await owner.request("POST", "/v1/account/signin", { email: owner.email, password: owner.password });
    const halfway = copyOf(owner, { csrf: true });
    assert.equal((await owner.request("POST", "/v1/account/signin/code", { code: owner.totpCode() })).status, 200);
    assert.notDeepEqual(sessionCookie(halfway), sessionCookie(owner));
    assert.equal((await halfway.request("GET", "/v1/account/session")).body.error.code, "session_required");
    assert.equal((await halfway.request("POST", "/v1/account/signin/code", { code: owner.totpCode() })).body.error.code, "session_required");
  });

  test("a session at one sign-in step cannot take another step", async () => {
    const fresh = await OwnerClient.signUp(url, clock);
    const refused = await fresh.request("POST", "/v1/account/signin/code", { code: "123456" });
    assert.deepEqual([refused.status, refused.body.error.code], [409, "session_state_invalid"]);

    const enrolled = await OwnerClient.signUpAndEnrol(url, clock);
    const again = await enrolled.request("POST", "/v1/account/totp/enrol");
    assert.deepEqual([again.status, again.body.error.code], [409, "session_state_invalid"]);
  });

  test("confirming TOTP before starting enrolment is refused", async () => {
    const fresh = await OwnerClient.signUp(url, clock);
    const refused = await fresh.request("POST", "/v1/account/totp/confirm", { code: "123456" });
    assert.deepEqual([refused.status, refused.body.error.code], [409, "totp_not_started"]);
  });
});

describe("CSRF", () => {
  test("a cross-site POST without the CSRF token is refused", async () => {
    const owner = await OwnerClient.signUpAndEnrol(url, clock);
    const [other] = (await owner.request("GET", "/v1/account/sessions")).body.sessions;
    // What a form on another site can send: the cookie rides along, the token cannot.
    const forged = copyOf(owner);
    for (const [method, path] of [
      ["POST", "/v1/account/signout"],
      ["DELETE", `/v1/account/sessions/${other.id}`],
    ] as const) {
      const refused = await forged.request(method, path, undefined, { origin: "https://evil.example" });
      assert.deepEqual([refused.status, refused.body.error.code], [403, "csrf_invalid"], `${method} ${path}`);
      const noOrigin = await forged.request(method, path);
      assert.deepEqual([noOrigin.status, noOrigin.body.error.code], [403, "csrf_invalid"], `${method} ${path} without Origin`);
      const wrongToken = copyOf(owner);
      wrongToken.csrfToken = "A".repeat(43);
      assert.equal((await wrongToken.request(method, path)).body.error.code, "csrf_invalid");
    }
    assert.equal((await owner.request("GET", "/v1/account/me")).status, 200, "nothing was revoked");
  });

  test("the right CSRF token from a foreign Origin is refused, from the verifier's own or the configured origin accepted", async () => {
    const owner = await OwnerClient.signUpAndEnrol(url, clock);
    const foreign = await owner.request("POST", "/v1/account/signout", undefined, { origin: "https://evil.example" });
    assert.deepEqual([foreign.status, foreign.body.error.code], [403, "csrf_invalid"]);
    const nullOrigin = await owner.request("POST", "/v1/account/signout", undefined, { origin: "null" });
    assert.equal(nullOrigin.body.error.code, "csrf_invalid");
    assert.equal((await owner.request("GET", "/v1/account/me")).status, 200);

    assert.equal((await owner.request("POST", "/v1/account/signout", undefined, { origin: defaultConfig.origin })).status, 200);
    await owner.signIn();
    assert.equal((await owner.request("POST", "/v1/account/signout", undefined, { origin: url })).status, 200);
  });

  test("sign-up and sign-in from a foreign Origin are refused (login CSRF)", async () => {
    const owner = await OwnerClient.signUpAndEnrol(url, clock);
    const stranger = new OwnerClient(url, clock, owner.email, owner.password, owner.displayName);
    const signIn = await stranger.request("POST", "/v1/account/signin", { email: owner.email, password: owner.password }, { origin: "https://evil.example" });
    assert.deepEqual([signIn.status, signIn.body.error.code], [403, "csrf_invalid"]);
    const signUp = await stranger.request(
      "POST",
      "/v1/account/signup",
      { email: `csrf-${process.pid}@example.org`, displayName: "X", password: "a long enough password" },
      { origin: "https://evil.example" },
    );
    assert.deepEqual([signUp.status, signUp.body.error.code], [403, "csrf_invalid"]);
    assert.equal(stranger.cookies.size, 0);
  });

  test("GET needs no CSRF token, and /session hands a reloaded page its token", async () => {
    const owner = await OwnerClient.signUpAndEnrol(url, clock);
    const token = owner.csrfToken;
    const reloaded = copyOf(owner);
    const session = await reloaded.request("GET", "/v1/account/session");
    assert.equal(session.status, 200);
    assert.equal(session.body.session.csrfToken, token);
    assert.equal((await reloaded.request("POST", "/v1/account/signout")).status, 200);
  });
});
