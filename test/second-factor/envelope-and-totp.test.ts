import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createClient } from "@libsql/client";
import { utf8 } from "../../src/bytes.ts";
import { SecretEnvelopeError, newKeyRingEntry, openSecret, parseKeyRing, readEnvelope, sealSecret } from "../../src/secrets/envelope.ts";
import { matchTotpStep, newTotpEnrolment, totpCodeAt, totpStepAt } from "../../src/totp/totp-code.ts";
import { SECOND_FACTOR_TABLES, assertKeyRingMatches, consumeTotpStep, recordFailure, throttledFor } from "../../verifier/db/second-factor.ts";

const now = Date.UTC(2026, 11, 1, 12, 0, 0);

test("a sealed secret opens with its key and context, names its algorithm, key id, nonce and time", async () => {
  const ring = await parseKeyRing(`${newKeyRingEntry("k1")},${newKeyRingEntry("k0")}`, "KEYS");
  const sealed = await sealSecret(ring, utf8("JBSWY3DPEHPK3PXP"), "account:a", now);
  const envelope = readEnvelope(sealed);
  assert.equal(envelope.alg, "A256GCM");
  assert.equal(envelope.kid, "k1");
  assert.equal(envelope.createdAt, new Date(now).toISOString());
  assert.doesNotMatch(sealed, /JBSWY3DPEHPK3PXP/);
  assert.deepEqual(await openSecret(ring, sealed, "account:a"), utf8("JBSWY3DPEHPK3PXP"));
});

test("an envelope moved to another account, or with its header rewritten, does not open", async () => {
  const ring = await parseKeyRing(newKeyRingEntry("k1"), "KEYS");
  const sealed = await sealSecret(ring, utf8("secret"), "account:a", now);
  await assert.rejects(openSecret(ring, sealed, "account:b"), (error) => error instanceof SecretEnvelopeError && error.failure === "decryption_failed");
  const rewritten = JSON.stringify({ ...JSON.parse(sealed), createdAt: new Date(now + 1).toISOString() });
  await assert.rejects(openSecret(ring, rewritten, "account:a"), (error) => error instanceof SecretEnvelopeError && error.failure === "decryption_failed");
});

test("a wrong or missing key is refused with its own failure", async () => {
  const sealed = await sealSecret(await parseKeyRing(newKeyRingEntry("k1"), "KEYS"), utf8("secret"), "c", now);
  const otherKey = await parseKeyRing(newKeyRingEntry("k1"), "KEYS");
  await assert.rejects(openSecret(otherKey, sealed, "c"), (error) => error instanceof SecretEnvelopeError && error.failure === "decryption_failed");
  const otherId = await parseKeyRing(newKeyRingEntry("k2"), "KEYS");
  await assert.rejects(openSecret(otherId, sealed, "c"), (error) => error instanceof SecretEnvelopeError && error.failure === "key_unknown");
  await assert.rejects(openSecret(otherId, "{}", "c"), (error) => error instanceof SecretEnvelopeError && error.failure === "envelope_malformed");
});

test("malformed key settings are refused with the reason", async () => {
  await assert.rejects(parseKeyRing("", "KEYS"), /empty/);
  await assert.rejects(parseKeyRing("k1", "KEYS"), /not kid:key/);
  await assert.rejects(parseKeyRing("k1:AAAA", "KEYS"), /32 bytes/);
  await assert.rejects(parseKeyRing("k1:***", "KEYS"), /base64url/);
  const entry = newKeyRingEntry("k1");
  await assert.rejects(parseKeyRing(`${entry},${entry}`, "KEYS"), /twice/);
});

test("a TOTP code matches its own step within one step either side, and nothing else", () => {
  const { base32, pretty, uri } = newTotpEnrolment("SnapSeal", "ada@example.org");
  assert.equal(pretty.replaceAll(" ", ""), base32);
  assert.match(uri, /^otpauth:\/\/totp\/SnapSeal:ada%40example\.org\?/);
  assert.match(uri, new RegExp(`secret=${base32}`));
  const code = totpCodeAt(base32, now);
  assert.equal(matchTotpStep(base32, code, now), totpStepAt(now));
  assert.equal(matchTotpStep(base32, code, now + 30_000), totpStepAt(now));
  assert.equal(matchTotpStep(base32, code, now + 90_000), null);
  assert.equal(matchTotpStep(base32, "12345", now), null);
  assert.equal(matchTotpStep("JBSWY3DPEHPK3PXP", totpCodeAt("GEZDGNBVGY3TQOJQ", now), now), null);
});

test("the database accepts a TOTP step once, throttles after the limit, and catches a wrong key", async () => {
  const dir = mkdtempSync(join(tmpdir(), "snapseal-2fa-"));
  const db = createClient({ url: `file:${join(dir, "db.sqlite")}` });
  try {
    await db.batch(SECOND_FACTOR_TABLES, "write");
    assert.equal(await consumeTotpStep(db, "a", 7, now), true);
    assert.equal(await consumeTotpStep(db, "a", 7, now), false);
    assert.equal(await consumeTotpStep(db, "b", 7, now), true);

    const limit = { max: 3, windowMs: 60_000 };
    for (let attempt = 0; attempt < 3; attempt++) {
      assert.equal(await throttledFor(db, "account:a", limit, now), 0);
      await recordFailure(db, "account:a", limit, now);
    }
    assert.equal(await throttledFor(db, "account:a", limit, now + 1000), 59_000);
    assert.equal(await throttledFor(db, "account:a", limit, now + 60_000), 0);
    assert.equal(await throttledFor(db, "account:b", limit, now), 0);

    const entry = newKeyRingEntry("k1");
    await assertKeyRingMatches(db, await parseKeyRing(entry, "KEYS"), "KEYS", now);
    await assertKeyRingMatches(db, await parseKeyRing(entry, "KEYS"), "KEYS", now);
    await assert.rejects(assertKeyRingMatches(db, await parseKeyRing(newKeyRingEntry("k1"), "KEYS"), "KEYS", now), /not the key/);
    await assert.rejects(assertKeyRingMatches(db, await parseKeyRing(newKeyRingEntry("k2"), "KEYS"), "KEYS", now), /lacks key k1/);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
