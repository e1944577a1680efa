// Owners sign up, enrol TOTP from the secret they are shown, and sign in with
// password and code, over HTTP against a real verifier on 127.0.0.1 and its
// libSQL file. The verifier runs on a TestClock: every accepted code is made
// at the clock's time and the clock then moves one 30 s step on, so no test
// depends on where in a step the wall clock is.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as OTPAuth from "otpauth";
import { totpCodeAt } from "../../src/totp/totp-code.ts";
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

test("sign-up, TOTP enrolment from the shown secret, sign-in with password and code, and /me", async () => {
  const owner = await OwnerClient.signUp(url, clock, { displayName: "Ada Lovelace" });
  assert.equal((await owner.request("GET", "/v1/account/me")).body.error.code, "second_factor_required");

  const enrolment = await owner.request("POST", "/v1/account/totp/enrol");
  assert.equal(enrolment.status, 200);
  const { base32, pretty, uri, qrSvg } = enrolment.body;
  assert.match(base32, /^[A-Z2-7]{32}$/);
  assert.equal(pretty.replaceAll(" ", ""), base32);
  const parsed = OTPAuth.URI.parse(uri);
  assert.ok(parsed instanceof OTPAuth.TOTP);
  assert.equal(parsed.secret.base32, base32, "the otpauth URI carries the secret shown in base32");
  assert.equal(parsed.issuer, "SnapSeal");
  assert.equal(parsed.label, owner.email);
  assert.match(qrSvg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>.*<\/svg>\s*$/s);

  // The test plays the authenticator app, from the secret it was shown.
  const code = totpCodeAt(base32, clock.now());
  clock.advance(30_000);
  const confirmed = await owner.request("POST", "/v1/account/totp/confirm", { code });
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
  assert.equal(confirmed.body.session.state, "full");
  assert.equal(confirmed.body.recoveryCodes.length, 10);
  owner.totpSecret = base32;

  const me = await owner.request("GET", "/v1/account/me");
  assert.equal(me.status, 200);
  assert.deepEqual([me.body.id, me.body.email, me.body.displayName, me.body.recoveryCodesLeft], [owner.ownerId, owner.email, "Ada Lovelace", 10]);

  await owner.signOut();
  assert.equal((await owner.request("GET", "/v1/account/me")).status, 401);

  const password = await owner.request("POST", "/v1/account/signin", { email: owner.email, password: owner.password });
  assert.equal(password.status, 200);
  assert.equal(password.body.session.state, "awaiting_code");
  assert.equal((await owner.request("GET", "/v1/account/me")).body.error.code, "second_factor_required");
  const second = await owner.request("POST", "/v1/account/signin/code", { code: owner.totpCode() });
  assert.equal(second.status, 200, JSON.stringify(second.body));
  assert.deepEqual(second.body.owner, { id: owner.ownerId, email: owner.email, displayName: "Ada Lovelace" });
  assert.equal((await owner.request("GET", "/v1/account/me")).status, 200);
});

test("OwnerClient.signUpAndEnrol gives a full session, and signIn works again after sign-out", async () => {
  const owner = await OwnerClient.signUpAndEnrol(url, clock);
  assert.equal((await owner.request("GET", "/v1/account/me")).body.id, owner.ownerId);
  await owner.signOut();
  await owner.signIn();
  assert.equal((await owner.request("GET", "/v1/account/me")).status, 200);
});

test("enrolment and sign-in pass wherever in a 30 s step the clock stands", async () => {
  for (const intoStep of [0, 1, 15_000, 29_000, 29_999]) {
    const nextStep = Math.ceil(clock.now() / 30_000 + 1) * 30_000;
    clock.advance(nextStep + intoStep - clock.now());
    const owner = await OwnerClient.signUpAndEnrol(url, clock);
    await owner.signOut();
    await owner.signIn();
    assert.equal((await owner.request("GET", "/v1/account/me")).status, 200, `${intoStep} ms into a step`);
  }
});
