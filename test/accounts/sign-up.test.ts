// Sign-up over HTTP against a real verifier and its libSQL file: every
// sign-up counts against the client address, those that find the email
// address taken included, so neither making accounts in bulk nor probing
// which addresses have one goes faster than the limit. The verifier runs on a
// TestClock, so the sliding window passes without waiting.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { OwnerClient, TestClock } from "../support/owner-client.ts";
import { type World, createWorld } from "../support/world.ts";

const SIGN_UP_LIMIT = { max: 3, windowMs: 3_600_000 };

const clock = new TestClock();
let world: World;
let url: string;

before(async () => {
  world = await createWorld({ passwordCostLog2: 10, signUpLimit: SIGN_UP_LIMIT }, { now: clock.now });
  url = world.verifier.url;
});
after(() => world?.close());

let serial = 0;
const newEmail = () => `signup-${process.pid}-${++serial}@example.org`;

function signUp(email: string, headers: Record<string, string> = {}) {
  return new OwnerClient(url, clock, email, "correct horse battery staple", "Someone").request(
    "POST",
    "/v1/account/signup",
    { email, displayName: "Someone", password: "correct horse battery staple" },
    headers,
  );
}

async function ownerExists(email: string): Promise<boolean> {
  return (await world.verifier.services.db.execute({ sql: "SELECT 1 FROM owners WHERE email = ?", args: [email] })).rows.length === 1;
}

test("sign-ups are throttled per client address (429 with Retry-After) until the window passes", async () => {
  clock.advance(SIGN_UP_LIMIT.windowMs);
  for (let index = 0; index < SIGN_UP_LIMIT.max; index++) assert.equal((await signUp(newEmail())).status, 201, `sign-up ${index + 1}`);

  const refusedEmail = newEmail();
  const refused = await signUp(refusedEmail);
  assert.deepEqual([refused.status, refused.body.error.code], [429, "too_many_attempts"]);
  const retryAfter = Number(refused.headers.get("retry-after"));
  assert.ok(retryAfter > 0 && retryAfter <= SIGN_UP_LIMIT.windowMs / 1000, `Retry-After ${retryAfter}`);
  assert.equal(await ownerExists(refusedEmail), false, "a throttled sign-up makes no account");

  // X-Forwarded-For counts only behind a configured proxy: naming another address does not help.
  assert.equal((await signUp(newEmail(), { "x-forwarded-for": "198.51.100.7" })).status, 429);

  clock.advance(retryAfter * 1000);
  assert.equal((await signUp(refusedEmail)).status, 201);
  assert.equal(await ownerExists(refusedEmail), true);
});

test("a taken email address is answered 409 account_exists, and probing with it is throttled like signing up", async () => {
  clock.advance(SIGN_UP_LIMIT.windowMs);
  const taken = newEmail();
  assert.equal((await signUp(taken)).status, 201);
  for (let probe = 1; probe < SIGN_UP_LIMIT.max; probe++) {
    const answer = await signUp(taken.toUpperCase());
    assert.deepEqual([answer.status, answer.body.error.code], [409, "account_exists"], `probe ${probe}`);
  }
  const probed = await signUp(taken);
  assert.deepEqual([probed.status, probed.body.error.code], [429, "too_many_attempts"], "the answer for a taken address is throttled too");
  assert.equal((await signUp(newEmail())).status, 429);
});
