import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fromBase64Url } from "../../src/bytes.ts";
import { anchorFromJson, verifyTimeAnchor } from "../../src/record/time-anchor.ts";
import { importP256PublicKey } from "../../src/crypto/es256.ts";
import { newKeyRingEntry } from "../../src/secrets/envelope.ts";
import { defaultConfig } from "../../verifier/config.ts";
import { SCHEMA_VERSION } from "../../verifier/db/schema.ts";
import { type StartedVerifier, startVerifier } from "../../verifier/start.ts";

// The app without a socket: app.request() against a real libSQL file.
let dir: string;
let verifier: StartedVerifier;
const now = Date.UTC(2026, 10, 23, 12);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "snapseal-app-"));
  verifier = await startVerifier(
    { ...defaultConfig, databaseUrl: `file:${join(dir, "verifier.db")}`, trustedRootsPem: [], secretKeys: newKeyRingEntry("test") },
    { now: () => now },
  );
});
after(() => {
  verifier.close();
  rmSync(dir, { recursive: true, force: true });
});

test("migrations ran: the schema is at its latest version", async () => {
  const version = Number((await verifier.services.db.execute("PRAGMA user_version")).rows[0]![0]);
  assert.equal(version, SCHEMA_VERSION);
});

test("GET /v1/time signs the verifier's time with a key it publishes", async () => {
  const response = await verifier.app.request("/v1/time");
  assert.equal(response.status, 200);
  const body = (await response.json()) as { anchor: unknown; keys: { kid: string; publicKey: string }[] };
  const anchor = anchorFromJson(body.anchor);
  assert.equal(anchor.t, now);
  assert.equal(body.keys.length, 1);
  const key = await importP256PublicKey(fromBase64Url(body.keys[0]!.publicKey));
  assert.equal(await verifyTimeAnchor(key, anchor), true);
  assert.equal(await verifyTimeAnchor(key, { ...anchor, t: anchor.t + 1 }), false);
});

test("POST /v1/devices/register/options issues a single-use challenge for the configured relying party", async () => {
  const response = await verifier.app.request("/v1/devices/register/options", { method: "POST" });
  const options = (await response.json()) as { challenge: string; rp: { id: string }; origin: string; expiresAt: number };
  assert.equal(fromBase64Url(options.challenge).length, 32);
  assert.deepEqual([options.rp.id, options.origin], [defaultConfig.rpId, defaultConfig.origin]);
  assert.equal(options.expiresAt, now + defaultConfig.registrationChallengeTtlMs);
});

test("a registration whose attestation object is an empty CBOR map is refused as attestation_malformed", async () => {
  const { challenge } = (await (await verifier.app.request("/v1/devices/register/options", { method: "POST" })).json()) as { challenge: string };
  const clientDataJSON = Buffer.from(JSON.stringify({ type: "webauthn.create", challenge, origin: defaultConfig.origin })).toString("base64url");
  const response = await verifier.app.request("/v1/devices/register", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ clientDataJSON, attestationObject: "oA" }),
  });
  assert.equal(response.status, 400);
  assert.equal(((await response.json()) as { error: { code: string } }).error.code, "attestation_malformed");
});

test("unknown routes and ids answer 404 not_found as JSON", async () => {
  for (const path of ["/nope", "/v1/captures/AAAAAAAAAAAAAAAAAAAAAAAA", "/v1/credentials/AAAAAAAAAAAAAAAAAAAAAAAA/status"]) {
    const response = await verifier.app.request(path);
    assert.equal(response.status, 404, path);
    assert.deepEqual(((await response.json()) as { error: { code: string } }).error.code, "not_found");
  }
});
