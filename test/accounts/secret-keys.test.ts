// TOTP secrets at rest: sealed under the configured key ring (or, with none
// configured, a key file beside an embedded database), never readable in the
// database file, and a verifier started with the wrong key refuses to start.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as OTPAuth from "otpauth";
import { readEnvelope, newKeyRingEntry } from "../../src/secrets/envelope.ts";
import { defaultConfig, type VerifierConfig } from "../../verifier/config.ts";
import { serveVerifier } from "../../verifier/node.ts";
import { startVerifier } from "../../verifier/start.ts";
import { runCli } from "../support/cli.ts";
import { OwnerClient, TestClock } from "../support/owner-client.ts";

const clock = new TestClock();
let dir: string;
let config: VerifierConfig;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "snapseal-keys-"));
  config = { ...defaultConfig, databaseUrl: `file:${join(dir, "verifier.db")}`, trustedRootsPem: [], passwordCostLog2: 10 };
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The bytes of the database as they are on disk: the main file and its write-ahead log. */
function databaseBytes(): Buffer {
  const path = join(dir, "verifier.db");
  return Buffer.concat([readFileSync(path), ...(existsSync(`${path}-wal`) ? [readFileSync(`${path}-wal`)] : [])]);
}

let enrolled: OwnerClient;

test("with no key configured, the embedded database gets a 0600 key file beside it and keeps working across restarts", async () => {
  const first = await serveVerifier(config, 0, { now: clock.now });
  try {
    enrolled = await OwnerClient.signUpAndEnrol(first.url, clock);
  } finally {
    await first.stop();
  }
  const keyFile = join(dir, "secret-keys");
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  assert.match(readFileSync(keyFile, "utf8"), /^local:[A-Za-z0-9_-]{43}\n$/);

  const second = await serveVerifier(config, 0, { now: clock.now });
  try {
    const owner = new OwnerClient(second.url, clock, enrolled.email, enrolled.password, enrolled.displayName);
    owner.totpSecret = enrolled.totpSecret;
    await owner.signIn();
    assert.equal((await owner.request("GET", "/v1/account/me")).body.id, enrolled.ownerId);
  } finally {
    await second.stop();
  }
});

test("the stored TOTP secret is not readable in the database file", async () => {
  const stored = databaseBytes();
  const secret = OTPAuth.Secret.fromBase32(enrolled.totpSecret);
  assert.ok(stored.includes(Buffer.from(enrolled.email)), "setup: the owner's row is in these bytes");
  assert.ok(!stored.includes(Buffer.from(enrolled.totpSecret)), "the base32 secret is not in the file");
  assert.ok(!stored.includes(Buffer.from(enrolled.totpSecret.toLowerCase())));
  assert.ok(!stored.includes(Buffer.from(secret.bytes)), "the raw secret bytes are not in the file");
  assert.ok(!stored.includes(Buffer.from(secret.hex)));

  const verifier = await startVerifier({ ...config, secretKeys: readFileSync(join(dir, "secret-keys"), "utf8").trim() });
  try {
    const row = (await verifier.services.db.execute({ sql: "SELECT totp_secret FROM owners WHERE id = ?", args: [enrolled.ownerId] })).rows[0]!;
    const envelope = readEnvelope(String(row.totp_secret));
    assert.deepEqual([envelope.v, envelope.alg, envelope.kid], [1, "A256GCM", "local"]);
  } finally {
    verifier.close();
  }
});

test("a wrong encryption key fails loudly at start-up rather than silently", async () => {
  await assert.rejects(startVerifier({ ...config, secretKeys: newKeyRingEntry("local") }), /SNAPSEAL_SECRET_KEYS: key local is not the key this database was sealed with/);
  await assert.rejects(startVerifier({ ...config, secretKeys: newKeyRingEntry("k2") }), /SNAPSEAL_SECRET_KEYS lacks key local, which sealed secrets in this database/);
  await assert.rejects(startVerifier({ ...config, secretKeys: "local:AAAA" }), /SNAPSEAL_SECRET_KEYS: key local must be 32 bytes, got 3/);
  await assert.rejects(startVerifier(config), /SNAPSEAL_SECRET_KEYS is not set/, "start.ts never makes a key up: only the runtime edge keeps a key file");
});

test("snapseal verifier serve with a wrong SNAPSEAL_SECRET_KEYS exits non-zero with the reason", { timeout: 60_000 }, async () => {
  const result = await runCli(["verifier", "serve", "--port", "18787"], { DATABASE_URL: config.databaseUrl, SNAPSEAL_SECRET_KEYS: newKeyRingEntry("local") });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /SNAPSEAL_SECRET_KEYS: key local is not the key this database was sealed with/);
  assert.doesNotMatch(result.stdout, /SnapSeal verifier on/);
});

test("a key ring with a new current key still opens secrets sealed with the old one", async () => {
  const rotated = `${newKeyRingEntry("k2")},${readFileSync(join(dir, "secret-keys"), "utf8").trim()}`;
  const verifier = await serveVerifier({ ...config, secretKeys: rotated }, 0, { now: clock.now });
  try {
    const owner = new OwnerClient(verifier.url, clock, enrolled.email, enrolled.password, enrolled.displayName);
    owner.totpSecret = enrolled.totpSecret;
    await owner.signIn();
    const fresh = await OwnerClient.signUpAndEnrol(verifier.url, clock);
    const row = (await verifier.services.db.execute({ sql: "SELECT totp_secret FROM owners WHERE id = ?", args: [fresh.ownerId] })).rows[0]!;
    assert.equal(readEnvelope(String(row.totp_secret)).kid, "k2", "new secrets are sealed with the current key");
  } finally {
    await verifier.stop();
  }
});
