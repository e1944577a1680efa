// Guessing TOTP codes across operators from one client address: the
// co-signer counts failed attempts per address as well as per operator, so
// spreading guesses over many operators (each under its own limit), or over
// operator names, locks the address out.
//
// The co-signer is served over real HTTP on 127.0.0.1 with an injected clock;
// each test's requests come from their own loopback address (127.0.0.x, the
// socket's local address), which is what the co-signer sees as the peer. Codes
// are computed for the injected time; each accepted code is an operator's
// first, so no two accepted codes share an account. The suite runs starting
// 10 s into a TOTP step and at its 29th second.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { toBase64Url } from "../../src/bytes.ts";
import { initialKeySet } from "../../src/firmware/key-set.ts";
import { encodeManifest } from "../../src/firmware/manifest.ts";
import { signManifest } from "../../src/firmware/release.ts";
import { newKeyRingEntry } from "../../src/secrets/envelope.ts";
import { totpCodeAt } from "../../src/totp/totp-code.ts";
import { readLog } from "../../cosigner/db/log.ts";
import { setUpCosigner } from "../../cosigner/set-up.ts";
import { addOperator } from "../../cosigner/db/operators.ts";
import { type NodeCosigner, serveCosigner } from "../../cosigner/node.ts";
import { DEFAULT_ADDRESS_ATTEMPT_LIMIT, DEFAULT_ATTEMPT_LIMIT } from "../../cosigner/services.ts";
import { firmwareImage, manifestFor, newReleaseKey, wrongCode } from "./support.ts";

const ADDRESS_LIMIT = DEFAULT_ADDRESS_ATTEMPT_LIMIT;
const OPERATOR_LIMIT = DEFAULT_ATTEMPT_LIMIT;

for (const secondOfStep of [10, 29]) {
  describe(`the co-signer's per-address limit, starting at second ${secondOfStep} of a TOTP step`, () => {
    const dir = mkdtempSync(join(tmpdir(), "snapseal-cosigner-address-"));
    const databaseUrl = `file:${join(dir, "cosigner.db")}`;
    const secretKeys = newKeyRingEntry("k1");
    const vendor = newReleaseKey();
    const clock = { now: Date.UTC(2026, 11, 1, 12, 0, 0) + secondOfStep * 1000 };
    let cosigner: NodeCosigner;
    let manifest: Uint8Array;
    let operators = 0;

    before(async () => {
      await setUpCosigner(databaseUrl, secretKeys, vendor.key, [], clock.now);
      cosigner = await serveCosigner(databaseUrl, secretKeys, 0, { now: () => clock.now });
      const keys = { vendor, cosigner: { key: cosigner.services.signingKey, secretKey: cosigner.services.signingKey.secretKey } };
      manifest = encodeManifest(
        await manifestFor(firmwareImage("1.1.0"), "https://cdn.example", { version: "1.1.0", releasedAt: clock.now - 60_000 }, { ...keys, keySet: initialKeySet([vendor.key, keys.cosigner.key]) }),
      );
    });
    after(async () => {
      await cosigner.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    async function newOperator(): Promise<{ name: string; secret: string }> {
      const name = `operator-${++operators}`;
      const enrolment = await addOperator(cosigner.services.db, cosigner.services.secretKeys, name, clock.now);
      return { name, secret: enrolment!.base32 };
    }

    function body(operator: string, totp: string) {
      const signature = signManifest(vendor.secretKey, manifest);
      return { manifest: toBase64Url(manifest), releaseSignature: { kid: signature.kid, sig: toBase64Url(signature.sig) }, operator, totp };
    }

    /** POST /v1/firmware/cosign from the loopback address `from`. */
    function cosignFrom(from: string, payload: unknown): Promise<{ status: number; retryAfter: number; body: any }> {
      const text = JSON.stringify(payload);
      return new Promise((resolve, reject) => {
        const sent = httpRequest(
          `${cosigner.url}/v1/firmware/cosign`,
          { method: "POST", localAddress: from, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(text) } },
          (response) => {
            let answer = "";
            response.setEncoding("utf8");
            response.on("data", (chunk) => (answer += chunk));
            response.on("end", () => resolve({ status: response.statusCode!, retryAfter: Number(response.headers["retry-after"]), body: JSON.parse(answer) }));
          },
        );
        sent.on("error", reject);
        sent.end(text);
      });
    }

    test("wrong codes spread over many operators from one address lock that address out, even for a right code, until the window has passed", async () => {
      const attacker = "127.0.0.11";
      const perOperator = OPERATOR_LIMIT.max - 1;
      for (let spent = 0; spent < ADDRESS_LIMIT.max; spent += perOperator) {
        const victim = await newOperator();
        for (let attempt = 0; attempt < Math.min(perOperator, ADDRESS_LIMIT.max - spent); attempt++) {
          const answer = await cosignFrom(attacker, body(victim.name, wrongCode(victim.secret, clock.now)));
          assert.equal(answer.body.error.code, "cosign_totp_invalid", "no operator reaches its own limit");
        }
      }

      const operator = await newOperator();
      const locked = await cosignFrom(attacker, body(operator.name, totpCodeAt(operator.secret, clock.now)));
      assert.equal(locked.status, 429);
      assert.equal(locked.body.error.code, "cosign_address_throttled");
      assert.ok(locked.retryAfter > 0);
      const logged = (await readLog(cosigner.services.db)).at(-1)!;
      assert.deepEqual([logged.outcome, logged.reason, logged.address, logged.operator], ["refused", "cosign_address_throttled", attacker, operator.name]);

      const colleague = await newOperator();
      assert.equal((await cosignFrom("127.0.0.12", body(colleague.name, totpCodeAt(colleague.secret, clock.now)))).status, 200, "another address is not locked out");

      clock.now += ADDRESS_LIMIT.windowMs;
      const later = await cosignFrom(attacker, body(operator.name, totpCodeAt(operator.secret, clock.now)));
      assert.equal(later.status, 200, JSON.stringify(later.body));
    });

    test("guessing operator names from one address locks that address out", async () => {
      const prober = "127.0.0.21";
      for (let guess = 0; guess < ADDRESS_LIMIT.max; guess++) {
        assert.equal((await cosignFrom(prober, body(`guess-${guess}`, "123456"))).body.error.code, "cosign_operator_unknown");
      }
      const operator = await newOperator();
      const locked = await cosignFrom(prober, body(operator.name, totpCodeAt(operator.secret, clock.now)));
      assert.equal(locked.status, 429);
      assert.equal(locked.body.error.code, "cosign_address_throttled");
    });
  });
}
