// Acceptance: "a co-sign request with a wrong or reused TOTP code; a co-sign
// request for a revoked release key" are refused, each with its own code, and
// the co-signer "logs every request (granted or refused) append-only".
//
// The co-signer runs in-process on its own libSQL file with an injected clock
// (socket-free, app.request()). TOTP codes are computed for the injected time,
// never the wall clock, and the clock moves 30 s on after every accepted code,
// so no two accepted codes share a step. The whole suite runs twice: starting
// 10 s into a TOTP step, and at its 29th second, where a code turns over.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fromBase64Url, toBase64Url } from "../../src/bytes.ts";
import { verifyEd25519 } from "../../src/crypto/ed25519.ts";
import { initialKeySet } from "../../src/firmware/key-set.ts";
import { type FirmwareManifest, encodeManifest } from "../../src/firmware/manifest.ts";
import { encodeRelease, signManifest } from "../../src/firmware/release.ts";
import { verifyRelease } from "../../src/firmware/verify-manifest.ts";
import { newKeyRingEntry } from "../../src/secrets/envelope.ts";
import { TOTP_PERIOD_SECONDS, totpCodeAt } from "../../src/totp/totp-code.ts";
import { acceptReleaseKey, revokeReleaseKey } from "../../cosigner/db/keys.ts";
import { readLog } from "../../cosigner/db/log.ts";
import { setUpCosigner } from "../../cosigner/set-up.ts";
import { addOperator } from "../../cosigner/db/operators.ts";
import { type StartedCosigner, startCosigner } from "../../cosigner/start.ts";
import { DAY, firmwareImage, manifestFor, newReleaseKey, wrongCode } from "./support.ts";

const STEP_MS = TOTP_PERIOD_SECONDS * 1000;
const ATTEMPTS = { max: 5, windowMs: 15 * 60_000 };

for (const secondOfStep of [10, 29]) {
  describe(`the co-signer, starting at second ${secondOfStep} of a TOTP step`, () => {
    const dir = mkdtempSync(join(tmpdir(), "snapseal-cosigner-"));
    const databaseUrl = `file:${join(dir, "cosigner.db")}`;
    const secretKeys = newKeyRingEntry("k1");
    const vendor = newReleaseKey();
    const clock = { now: Date.UTC(2026, 11, 1, 12, 0, 0) + secondOfStep * 1000 };
    let cosigner: StartedCosigner;
    let operators = 0;

    before(async () => {
      await setUpCosigner(databaseUrl, secretKeys, vendor.key, [], clock.now);
      cosigner = await startCosigner(databaseUrl, secretKeys, { now: () => clock.now, attemptLimit: ATTEMPTS });
    });
    after(() => {
      cosigner.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /** A fresh operator, so the tests' codes and failure counts never meet. */
    async function newOperator(): Promise<{ name: string; secret: string }> {
      const name = `operator-${++operators}`;
      const enrolment = await addOperator(cosigner.services.db, cosigner.services.secretKeys, name, clock.now);
      return { name, secret: enrolment!.base32 };
    }

    async function manifestBytes(fields: Partial<FirmwareManifest> = {}): Promise<Uint8Array> {
      const keys = { vendor, cosigner: { key: cosigner.services.signingKey, secretKey: cosigner.services.signingKey.secretKey } };
      return encodeManifest(await manifestFor(firmwareImage("1.1.0"), "https://cdn.example", { version: "1.1.0", releasedAt: clock.now - 60_000, ...fields }, { ...keys, keySet: initialKeySet([vendor.key, keys.cosigner.key]) }));
    }

    async function cosign(body: unknown, headers: Record<string, string> = { "content-type": "application/json" }) {
      const response = await cosigner.app.request("/v1/firmware/cosign", { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
      return { status: response.status, headers: response.headers, body: (await response.json()) as any };
    }

    function request(manifest: Uint8Array, operator: string, totp: string, releaseKey = vendor) {
      const signature = signManifest(releaseKey.secretKey, manifest);
      return { manifest: toBase64Url(manifest), releaseSignature: { kid: signature.kid, sig: toBase64Url(signature.sig) }, operator, totp };
    }

    /** After an accepted code, the next one is made in the next step. */
    function nextStep(): void {
      clock.now += STEP_MS;
    }

    test("a valid, unused TOTP code gets the co-signature, and with the vendor's the camera's threshold is met", async () => {
      const operator = await newOperator();
      const manifest = await manifestBytes();
      const answer = await cosign(request(manifest, operator.name, totpCodeAt(operator.secret, clock.now)));
      nextStep();
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.kid, cosigner.services.signingKey.kid);
      const sig = fromBase64Url(answer.body.sig);
      assert.ok(verifyEd25519(cosigner.services.signingKey.publicKey, sig, manifest));
      const release = encodeRelease(manifest, [signManifest(vendor.secretKey, manifest), { kid: answer.body.kid, sig }]);
      const verified = verifyRelease(release, initialKeySet([vendor.key, cosigner.services.signingKey]));
      assert.equal(verified.signedBy.length, 2);
    });

    test("a wrong TOTP code is refused with cosign_totp_invalid", async () => {
      const operator = await newOperator();
      const answer = await cosign(request(await manifestBytes(), operator.name, wrongCode(operator.secret, clock.now)));
      assert.equal(answer.status, 401);
      assert.equal(answer.body.error.code, "cosign_totp_invalid");
    });

    test("a reused TOTP code is refused with cosign_totp_reused, in its own step and in the next", async () => {
      const operator = await newOperator();
      const code = totpCodeAt(operator.secret, clock.now);
      const manifest = await manifestBytes();
      assert.equal((await cosign(request(manifest, operator.name, code))).status, 200);
      const again = await cosign(request(manifest, operator.name, code));
      assert.equal(again.status, 401);
      assert.equal(again.body.error.code, "cosign_totp_reused");
      nextStep();
      // One step later the code still matches (the window), and is still used.
      const later = await cosign(request(await manifestBytes({ version: "1.1.1" }), operator.name, code));
      assert.equal(later.body.error.code, "cosign_totp_reused");
      assert.equal((await cosign(request(manifest, operator.name, totpCodeAt(operator.secret, clock.now)))).status, 200, "the next step's code is fresh");
      nextStep();
    });

    test("a co-sign request for a revoked release key is refused with cosign_release_key_revoked, valid TOTP or not", async () => {
      const operator = await newOperator();
      const retired = newReleaseKey();
      await acceptReleaseKey(cosigner.services.db, retired.key, clock.now);
      assert.equal(await revokeReleaseKey(cosigner.services.db, retired.key.kid, clock.now), true);
      const manifest = await manifestBytes({ keyIds: [retired.key.kid, cosigner.services.signingKey.kid] });
      const answer = await cosign(request(manifest, operator.name, totpCodeAt(operator.secret, clock.now), retired));
      assert.equal(answer.status, 403);
      assert.equal(answer.body.error.code, "cosign_release_key_revoked");
      assert.equal(await acceptReleaseKey(cosigner.services.db, retired.key, clock.now), "revoked", "a revoked key is never accepted again");
      // The refusal did not spend the operator's code.
      assert.equal((await cosign(request(await manifestBytes(), operator.name, totpCodeAt(operator.secret, clock.now)))).status, 200);
      nextStep();
    });

    test("a release key the co-signer never accepted is refused with cosign_release_key_unknown", async () => {
      const operator = await newOperator();
      const stranger = newReleaseKey();
      const manifest = await manifestBytes({ keyIds: [stranger.key.kid, cosigner.services.signingKey.kid] });
      const answer = await cosign(request(manifest, operator.name, totpCodeAt(operator.secret, clock.now), stranger));
      assert.equal(answer.body.error.code, "cosign_release_key_unknown");
    });

    test("an unknown operator is refused with cosign_operator_unknown", async () => {
      const answer = await cosign(request(await manifestBytes(), "nobody", "123456"));
      assert.equal(answer.status, 401);
      assert.equal(answer.body.error.code, "cosign_operator_unknown");
    });

    test("a release signature over other bytes is refused with firmware_signature_invalid", async () => {
      const operator = await newOperator();
      const body = request(await manifestBytes({ version: "9.9.9" }), operator.name, totpCodeAt(operator.secret, clock.now));
      const answer = await cosign({ ...body, manifest: toBase64Url(await manifestBytes()) });
      assert.equal(answer.body.error.code, "firmware_signature_invalid");
    });

    test("a manifest that does not list the co-signer's key is refused with firmware_key_unknown", async () => {
      const operator = await newOperator();
      const manifest = await manifestBytes({ keyIds: [vendor.key.kid, newReleaseKey().key.kid] });
      const answer = await cosign(request(manifest, operator.name, totpCodeAt(operator.secret, clock.now)));
      assert.equal(answer.body.error.code, "firmware_key_unknown");
    });

    test("an expired manifest is refused with firmware_expired", async () => {
      const operator = await newOperator();
      const manifest = await manifestBytes({ releasedAt: clock.now - 40 * DAY, expiresAt: clock.now - DAY });
      const answer = await cosign(request(manifest, operator.name, totpCodeAt(operator.secret, clock.now)));
      assert.equal(answer.body.error.code, "firmware_expired");
    });

    test("after five wrong codes even the right one is refused with cosign_throttled, until the window has passed", async () => {
      const operator = await newOperator();
      const manifest = await manifestBytes();
      for (let attempt = 0; attempt < ATTEMPTS.max; attempt++) {
        assert.equal((await cosign(request(manifest, operator.name, wrongCode(operator.secret, clock.now)))).body.error.code, "cosign_totp_invalid");
      }
      const locked = await cosign(request(manifest, operator.name, totpCodeAt(operator.secret, clock.now)));
      assert.equal(locked.status, 429);
      assert.equal(locked.body.error.code, "cosign_throttled");
      assert.ok(Number(locked.headers.get("retry-after")) > 0);
      clock.now += ATTEMPTS.windowMs;
      assert.equal((await cosign(request(manifest, operator.name, totpCodeAt(operator.secret, clock.now)))).status, 200);
      nextStep();
    });

    test("the log records granted and refused requests with their reasons, and refuses UPDATE and DELETE", async () => {
      const operator = await newOperator();
      const manifest = await manifestBytes({ version: "3.0.0" });
      const before = (await readLog(cosigner.services.db)).length;
      assert.equal((await cosign(request(manifest, operator.name, totpCodeAt(operator.secret, clock.now)))).status, 200);
      nextStep();
      await cosign(request(manifest, operator.name, wrongCode(operator.secret, clock.now)));
      await cosign("not json");
      const rows = (await readLog(cosigner.services.db)).slice(before);
      assert.deepEqual(
        rows.map((row) => [row.outcome, row.reason, row.operator, row.version]),
        [
          ["granted", null, operator.name, "3.0.0"],
          ["refused", "cosign_totp_invalid", operator.name, "3.0.0"],
          ["refused", "bad_request", null, null],
        ],
      );
      await assert.rejects(cosigner.services.db.execute("UPDATE cosign_log SET outcome = 'granted', reason = NULL"), /append-only/);
      await assert.rejects(cosigner.services.db.execute("DELETE FROM cosign_log"), /append-only/);
      assert.equal((await readLog(cosigner.services.db)).length, before + 3);
    });

    test("a wrong COSIGNER_SECRET_KEYS fails loudly at start-up", async () => {
      await assert.rejects(startCosigner(databaseUrl, newKeyRingEntry("k1")), /COSIGNER_SECRET_KEYS: key k1 is not the key this database was sealed with/);
      await assert.rejects(startCosigner(databaseUrl, newKeyRingEntry("k2")), /COSIGNER_SECRET_KEYS lacks key k1/);
      await assert.rejects(startCosigner(databaseUrl, undefined), /COSIGNER_SECRET_KEYS is not set/);
    });
  });
}
