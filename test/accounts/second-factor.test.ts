// The second factor at sign-in, over HTTP against a real verifier and its
// libSQL file: a TOTP code is accepted once per account, only for its own
// account, failures are throttled per account and per client address, and a
// recovery code works once. The verifier runs on a TestClock; every code the
// tests expect to be accepted is made at the clock's time, and the clock then
// moves a step on (OwnerClient.totpCode), so no test depends on where in a
// 30 s step the wall clock is.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { matchTotpStep, totpCodeAt, totpStepAt } from "../../src/totp/totp-code.ts";
import { totpSubject } from "../../verifier/db/accounts.ts";
import { OwnerClient, TestClock } from "../support/owner-client.ts";
import { type World, createWorld } from "../support/world.ts";

const ACCOUNT_LIMIT = { max: 3, windowMs: 5 * 60_000 };
const ADDRESS_LIMIT = { max: 6, windowMs: 5 * 60_000 };

const clock = new TestClock();
let world: World;
let url: string;

before(async () => {
  world = await createWorld({ passwordCostLog2: 10, accountAttemptLimit: ACCOUNT_LIMIT, addressAttemptLimit: ADDRESS_LIMIT }, { now: clock.now });
  url = world.verifier.url;
});
after(() => world?.close());

/** Every test starts with no failures counted against 127.0.0.1 (the window has passed). */
function forgetFailures(): void {
  clock.advance(ADDRESS_LIMIT.windowMs);
}

async function passwordStep(owner: OwnerClient): Promise<void> {
  const response = await owner.request("POST", "/v1/account/signin", { email: owner.email, password: owner.password });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  assert.equal(response.body.session.state, "awaiting_code");
}

async function signOutAndEnterPassword(owner: OwnerClient): Promise<void> {
  await owner.signOut();
  await passwordStep(owner);
}

/** A six-digit code that is not valid for `secret` at any step the verifier accepts now. */
function wrongCodeFor(secret: string): string {
  const valid = new Set([-30_000, 0, 30_000].map((offset) => totpCodeAt(secret, clock.now() + offset)));
  for (let candidate = 0; ; candidate++) {
    const code = String(candidate).padStart(6, "0");
    if (!valid.has(code)) return code;
  }
}

describe("TOTP codes", () => {
  test("a reused TOTP code is refused", async () => {
    forgetFailures();
    const owner = await OwnerClient.signUpAndEnrol(url, clock);
    await signOutAndEnterPassword(owner);
    const code = owner.totpCode();
    assert.equal((await owner.request("POST", "/v1/account/signin/code", { code })).status, 200);

    await signOutAndEnterPassword(owner);
    const replayed = await owner.request("POST", "/v1/account/signin/code", { code });
    assert.deepEqual([replayed.status, replayed.body.error.code], [401, "totp_reused"]);
    assert.notEqual(matchTotpStep(owner.totpSecret, code, clock.now()), null, "the code is still inside the window: only the once-only rule refuses it");
    assert.equal((await owner.request("POST", "/v1/account/signin/code", { code: owner.totpCode() })).status, 200);
  });

  test("the code that confirmed enrolment cannot sign in again", async () => {
    forgetFailures();
    const owner = await OwnerClient.signUp(url, clock);
    const { body } = await owner.request("POST", "/v1/account/totp/enrol");
    owner.totpSecret = body.base32;
    const code = totpCodeAt(owner.totpSecret, clock.now());
    assert.equal((await owner.request("POST", "/v1/account/totp/confirm", { code })).status, 200);
    await signOutAndEnterPassword(owner);
    assert.equal((await owner.request("POST", "/v1/account/signin/code", { code })).body.error.code, "totp_reused");
  });

  test("a code for another account is refused", async () => {
    forgetFailures();
    const ada = await OwnerClient.signUpAndEnrol(url, clock);
    const bob = await OwnerClient.signUpAndEnrol(url, clock);
    await signOutAndEnterPassword(ada);
    const bobsCode = totpCodeAt(bob.totpSecret, clock.now());
    const adasWindow = [-30_000, 0, 30_000].map((offset) => totpCodeAt(ada.totpSecret, clock.now() + offset));
    assert.ok(!adasWindow.includes(bobsCode), "setup: Bob's code is not also one of Ada's (one in 300 000)");
    const refused = await ada.request("POST", "/v1/account/signin/code", { code: bobsCode });
    assert.deepEqual([refused.status, refused.body.error.code], [401, "totp_invalid"]);
    assert.equal((await ada.request("GET", "/v1/account/me")).status, 401);
  });

  test("used TOTP steps are pruned once no clock accepts them, and a replay inside the window is still refused", async () => {
    forgetFailures();
    const owner = await OwnerClient.signUpAndEnrol(url, clock);
    const usedSteps = async () =>
      (await world.verifier.services.db.execute({ sql: "SELECT step FROM totp_steps_used WHERE subject = ? ORDER BY step", args: [totpSubject(owner.ownerId)] })).rows.map((row) => Number(row.step));
    const enrolledStep = totpStepAt(clock.now() - 30_000);
    assert.deepEqual(await usedSteps(), [enrolledStep]);

    // Ten minutes on, the enrolment's step is long outside every window: the next sign-in prunes it.
    clock.advance(10 * 60_000);
    await signOutAndEnterPassword(owner);
    const step = totpStepAt(clock.now());
    const code = owner.totpCode();
    assert.equal((await owner.request("POST", "/v1/account/signin/code", { code })).status, 200);
    assert.deepEqual(await usedSteps(), [step]);

    await signOutAndEnterPassword(owner);
    const replayed = await owner.request("POST", "/v1/account/signin/code", { code });
    assert.deepEqual([replayed.status, replayed.body.error.code], [401, "totp_reused"]);
    assert.deepEqual(await usedSteps(), [step]);
  });

  test("a code from outside the window is refused", async () => {
    forgetFailures();
    const owner = await OwnerClient.signUpAndEnrol(url, clock);
    await signOutAndEnterPassword(owner);
    const stale = totpCodeAt(owner.totpSecret, clock.now() - 60_000);
    const early = totpCodeAt(owner.totpSecret, clock.now() + 60_000);
    for (const code of [stale, early]) {
      if ([-30_000, 0, 30_000].some((offset) => totpCodeAt(owner.totpSecret, clock.now() + offset) === code)) continue;
      assert.equal((await owner.request("POST", "/v1/account/signin/code", { code })).body.error.code, "totp_invalid");
    }
  });
});

describe("throttling", () => {
  test("after N wrong codes the account is throttled (429) even with a correct code, until the window passes", async () => {
    forgetFailures();
    const owner = await OwnerClient.signUpAndEnrol(url, clock);
    await signOutAndEnterPassword(owner);
    for (let attempt = 0; attempt < ACCOUNT_LIMIT.max; attempt++) {
      const wrong = await owner.request("POST", "/v1/account/signin/code", { code: wrongCodeFor(owner.totpSecret) });
      assert.equal(wrong.body.error.code, "totp_invalid", `attempt ${attempt + 1}`);
    }
    const correct = await owner.request("POST", "/v1/account/signin/code", { code: owner.totpCode() });
    assert.deepEqual([correct.status, correct.body.error.code], [429, "too_many_attempts"]);
    const retryAfter = Number(correct.headers.get("retry-after"));
    assert.ok(retryAfter > 0 && retryAfter <= ACCOUNT_LIMIT.windowMs / 1000, `Retry-After ${retryAfter}`);

    // The account, not the session, is throttled: a new password step does not help.
    const fresh = new OwnerClient(url, clock, owner.email, owner.password, owner.displayName);
    const password = await fresh.request("POST", "/v1/account/signin", { email: owner.email, password: owner.password });
    assert.deepEqual([password.status, password.body.error.code], [429, "too_many_attempts"]);

    clock.advance(retryAfter * 1000);
    await passwordStep(fresh);
    fresh.totpSecret = owner.totpSecret;
    assert.equal((await fresh.request("POST", "/v1/account/signin/code", { code: fresh.totpCode() })).status, 200);
  });

  test("wrong passwords count against the account too", async () => {
    forgetFailures();
    const owner = await OwnerClient.signUpAndEnrol(url, clock);
    await owner.signOut();
    for (let attempt = 0; attempt < ACCOUNT_LIMIT.max; attempt++) {
      const wrong = await owner.request("POST", "/v1/account/signin", { email: owner.email, password: "not the password at all" });
      assert.deepEqual([wrong.status, wrong.body.error.code], [401, "credentials_invalid"]);
    }
    const right = await owner.request("POST", "/v1/account/signin", { email: owner.email, password: owner.password });
    assert.deepEqual([right.status, right.body.error.code], [429, "too_many_attempts"]);
  });

  test("an unknown email address is answered as a wrong password, and throttled the same way", async () => {
    forgetFailures();
    const stranger = new OwnerClient(url, clock, `nobody-${process.pid}@example.org`, "whatever password", "Nobody");
    for (let attempt = 0; attempt < ACCOUNT_LIMIT.max; attempt++) {
      const refused = await stranger.request("POST", "/v1/account/signin", { email: stranger.email, password: stranger.password });
      assert.deepEqual([refused.status, refused.body.error.code], [401, "credentials_invalid"]);
    }
    assert.equal((await stranger.request("POST", "/v1/account/signin", { email: stranger.email, password: stranger.password })).status, 429);
  });

  test("per-address throttling: failures against many accounts from one address throttle that address", async () => {
    forgetFailures();
    const owners = [];
    for (let index = 0; index < ADDRESS_LIMIT.max / 2 + 1; index++) owners.push(await OwnerClient.signUpAndEnrol(url, clock));
    // Two failures per account stay under the account limit; together they reach the address limit.
    // A client cannot dodge it by naming another address: X-Forwarded-For counts only behind a configured proxy.
    let failures = 0;
    for (const [index, owner] of owners.slice(0, -1).entries()) {
      for (let attempt = 0; attempt < 2; attempt++) {
        const refused = await owner.request("POST", "/v1/account/signin", { email: owner.email, password: "wrong password here" }, { "x-forwarded-for": `198.51.100.${index * 2 + attempt}` });
        assert.equal(refused.body.error.code, "credentials_invalid");
        failures++;
      }
    }
    assert.equal(failures, ADDRESS_LIMIT.max);
    const innocent = owners.at(-1)!;
    await innocent.signOut();
    const throttled = await innocent.request("POST", "/v1/account/signin", { email: innocent.email, password: innocent.password }, { "x-forwarded-for": "203.0.113.9" });
    assert.deepEqual([throttled.status, throttled.body.error.code], [429, "too_many_attempts"]);
    assert.ok(Number(throttled.headers.get("retry-after")) > 0);
  });

  test("behind a configured proxy, the last X-Forwarded-For entry is the address counted", async () => {
    const proxied = await createWorld(
      { passwordCostLog2: 10, accountAttemptLimit: ACCOUNT_LIMIT, addressAttemptLimit: { max: 2, windowMs: ADDRESS_LIMIT.windowMs }, trustProxy: true },
      { now: clock.now },
    );
    try {
      const owner = await OwnerClient.signUpAndEnrol(proxied.verifier.url, clock);
      await owner.signOut();
      const attempt = (address: string, password = "wrong password here") =>
        owner.request("POST", "/v1/account/signin", { email: owner.email, password }, { "x-forwarded-for": `10.9.9.9, ${address}` });
      assert.equal((await attempt("192.0.2.1")).body.error.code, "credentials_invalid");
      assert.equal((await attempt("192.0.2.1")).body.error.code, "credentials_invalid");
      assert.equal((await attempt("192.0.2.1", owner.password)).body.error.code, "too_many_attempts");
      assert.equal((await attempt("192.0.2.2", owner.password)).status, 200, "another client behind the proxy is not throttled");
    } finally {
      await proxied.close();
    }
  });
});

describe("recovery codes", () => {
  test("a recovery code works once", async () => {
    forgetFailures();
    const owner = await OwnerClient.signUpAndEnrol(url, clock);
    assert.equal(owner.recoveryCodes.length, 10);
    assert.equal(new Set(owner.recoveryCodes).size, 10);
    for (const code of owner.recoveryCodes) assert.match(code, /^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
    const recoveryCode = owner.recoveryCodes[3]!;

    await signOutAndEnterPassword(owner);
    const used = await owner.request("POST", "/v1/account/signin/code", { recoveryCode: recoveryCode.toUpperCase().replaceAll("-", " ") });
    assert.equal(used.status, 200, JSON.stringify(used.body));
    assert.equal(used.body.recoveryCodesLeft, 9);
    assert.equal((await owner.request("GET", "/v1/account/me")).body.recoveryCodesLeft, 9);

    await signOutAndEnterPassword(owner);
    const again = await owner.request("POST", "/v1/account/signin/code", { recoveryCode });
    assert.deepEqual([again.status, again.body.error.code], [401, "recovery_code_invalid"]);
    assert.equal((await owner.request("POST", "/v1/account/signin/code", { recoveryCode: owner.recoveryCodes[4] })).status, 200);
  });

  test("another account's recovery code is refused, and codes are stored only as hashes", async () => {
    forgetFailures();
    const ada = await OwnerClient.signUpAndEnrol(url, clock);
    const bob = await OwnerClient.signUpAndEnrol(url, clock);
    await signOutAndEnterPassword(ada);
    assert.equal((await ada.request("POST", "/v1/account/signin/code", { recoveryCode: bob.recoveryCodes[0] })).body.error.code, "recovery_code_invalid");
    const stored = JSON.stringify((await world.verifier.services.db.execute("SELECT * FROM recovery_codes")).rows);
    for (const code of [...ada.recoveryCodes, ...bob.recoveryCodes]) {
      assert.ok(!stored.includes(code) && !stored.includes(code.replaceAll("-", "")), "no recovery code is stored as typed");
    }
  });
});
