// Password hashing: scrypt with its parameters and salt in the stored string,
// at the configured cost (default 2^15), and re-hashed at sign-in when the
// stored cost is below the configured one.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { hashPassword, verifyPassword } from "../../verifier/auth/password.ts";
import { defaultConfig } from "../../verifier/config.ts";
import { serveVerifier } from "../../verifier/node.ts";
import { OwnerClient, TestClock } from "../support/owner-client.ts";

const STORED = /^\$scrypt\$ln=(\d+),r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/;

test("a hash at the default cost names scrypt, 2^15, r=8, p=1 and its salt, and verifies only its password", async () => {
  assert.equal(defaultConfig.passwordCostLog2, 15);
  const stored = await hashPassword("correct horse battery staple", defaultConfig.passwordCostLog2);
  assert.equal(STORED.exec(stored)?.[1], "15");
  assert.deepEqual(await verifyPassword("correct horse battery staple", stored, 15), { matches: true, needsRehash: false });
  assert.equal((await verifyPassword("correct horse battery stapler", stored, 15)).matches, false);
  assert.equal((await verifyPassword("correct horse battery staple", stored, 16)).needsRehash, true);
});

test("the same password hashes differently each time (a random salt), and composed and decomposed forms match", async () => {
  const [first, second] = [await hashPassword("pässwört-long", 8), await hashPassword("pässwört-long", 8)];
  assert.notEqual(first, second);
  assert.equal((await verifyPassword("pa\u0308sswo\u0308rt-long", first, 8)).matches, true);
});

test("a stored hash that is not in the $scrypt$ format is an error, not a mismatch", async () => {
  await assert.rejects(verifyPassword("anything at all", "$2b$10$abcdefghijklmnopqrstuv", 8), /not in the \$scrypt\$ format/);
});

test("a sign-in re-hashes a password stored below the configured cost", async () => {
  const dir = mkdtempSync(join(tmpdir(), "snapseal-rehash-"));
  const clock = new TestClock();
  const config = { ...defaultConfig, databaseUrl: `file:${join(dir, "verifier.db")}`, trustedRootsPem: [] };
  const storedHash = async (verifier: Awaited<ReturnType<typeof serveVerifier>>, ownerId: string) =>
    String((await verifier.services.db.execute({ sql: "SELECT password_hash FROM owners WHERE id = ?", args: [ownerId] })).rows[0]!.password_hash);
  try {
    const cheap = await serveVerifier({ ...config, passwordCostLog2: 10 }, 0, { now: clock.now });
    let owner: OwnerClient;
    let before: string;
    try {
      owner = await OwnerClient.signUpAndEnrol(cheap.url, clock);
      before = await storedHash(cheap, owner.ownerId);
      assert.equal(STORED.exec(before)?.[1], "10");
    } finally {
      await cheap.stop();
    }

    const current = await serveVerifier(config, 0, { now: clock.now });
    try {
      const signingIn = new OwnerClient(current.url, clock, owner.email, owner.password, owner.displayName);
      signingIn.totpSecret = owner.totpSecret;
      const wrong = await signingIn.request("POST", "/v1/account/signin", { email: owner.email, password: "not the password" });
      assert.equal(wrong.status, 401);
      assert.equal(await storedHash(current, owner.ownerId), before, "a failed sign-in changes nothing");
      await signingIn.signIn();
      const after = await storedHash(current, owner.ownerId);
      assert.equal(STORED.exec(after)?.[1], String(defaultConfig.passwordCostLog2));
      assert.deepEqual(await verifyPassword(owner.password, after, defaultConfig.passwordCostLog2), { matches: true, needsRehash: false });
    } finally {
      await current.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
