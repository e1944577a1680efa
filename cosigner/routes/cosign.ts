import { Hono } from "hono";
import { toBase64Url } from "../../src/bytes.ts";
import { sha256 } from "../../src/crypto/sha256.ts";
import { verifyEd25519 } from "../../src/crypto/ed25519.ts";
import { isProvenanceError } from "../../src/errors.ts";
import { isKeyId } from "../../src/firmware/key-set.ts";
import { MAX_MANIFEST_BYTES, decodeManifest } from "../../src/firmware/manifest.ts";
import { signManifest } from "../../src/firmware/release.ts";
import { matchTotpStep } from "../../src/totp/totp-code.ts";
import { clearFailures, consumeTotpStep, recordFailure, throttledFor } from "../../verifier/db/second-factor.ts";
import { peerAddressOf } from "../../verifier/auth/client-address.ts";
import { limitBody } from "../../verifier/limit-body.ts";
import { fail, failThrottled, requireBase64Url } from "../../verifier/validate.ts";
import { findReleaseKey } from "../db/keys.ts";
import { appendLog } from "../db/log.ts";
import { OPERATOR_NAME, operatorSubject, operatorTotpSecret } from "../db/operators.ts";
import type { CosignerEnv } from "../services.ts";

interface CosignRequest {
  manifest: Uint8Array;
  releaseSignature: { kid: string; sig: Uint8Array };
  operator: string;
  totp: string;
}

function parseRequest(body: unknown): CosignRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) fail("bad_request", "the body must be a JSON object");
  const { releaseSignature, operator, totp } = body as Record<string, unknown>;
  const signature = (releaseSignature ?? {}) as Record<string, unknown>;
  if (typeof releaseSignature !== "object" || releaseSignature === null || !isKeyId(signature.kid)) {
    fail("bad_request", "releaseSignature must be {kid, sig} with a 64-character hex key id");
  }
  if (typeof operator !== "string" || !OPERATOR_NAME.test(operator)) fail("bad_request", "operator must be an operator name");
  if (typeof totp !== "string" || totp.length === 0 || totp.length > 16) fail("bad_request", "totp must be the operator's current code");
  return {
    manifest: requireBase64Url(body, "manifest", Math.ceil((MAX_MANIFEST_BYTES * 4) / 3)),
    releaseSignature: { kid: signature.kid as string, sig: requireBase64Url(signature, "sig", 128, "releaseSignature.sig") },
    operator,
    totp,
  };
}

/**
 * POST /v1/firmware/cosign: the co-signer's whole job, as a checklist. It adds
 * its signature to a manifest only for a release key it accepts and has not
 * revoked, over bytes that key really signed, when a named operator presents
 * a TOTP code that is valid now and not used before. Every request lands in
 * the append-only log, granted or refused, with the reason.
 *
 *  1. bad_request / unsupported_media_type   the request has the documented shape
 *  2. firmware_manifest_malformed            the manifest decodes strictly
 *  3. cosign_release_key_unknown             the release key is accepted here and listed by the manifest,
 *                                            which also lists the co-signer's key (firmware_key_unknown)
 *  4. cosign_release_key_revoked             ... and not revoked
 *  5. firmware_signature_invalid             the release signature verifies over these exact bytes
 *  6. firmware_expired                       the manifest has not expired
 *  7. cosign_address_throttled             the client address is not locked out by failed attempts,
 *                                            whichever operators they named
 *  8. cosign_operator_unknown                the operator exists
 *  9. cosign_throttled                       the operator is not locked out by failed attempts
 * 10. cosign_totp_invalid                    the code is valid now (one step either side)
 * 11. cosign_totp_reused                     its time step was not used before (consumed, with the
 *                                            granted log entry, in one transaction)
 * A failure at 8, 10 or 11 counts against the address; at 10 or 11 against the
 * operator too. A grant clears the operator's count, never the address's: one
 * operator an attacker can sign as must not refill their guesses at the others.
 */
export const cosign = new Hono<CosignerEnv>().post(
  "/cosign",
  async (c, next) => {
    c.set("attempt", { address: peerAddressOf(c, c.var.services.peerAddress) });
    await next();
    // Whatever refused the request (a check below, or the body limit), the log says so.
    if (c.error) {
      const { db, now } = c.var.services;
      await appendLog(db, { ...c.var.attempt, outcome: "refused", reason: isProvenanceError(c.error) ? c.error.code : "internal" }, now());
    }
  },
  limitBody(() => 64 * 1024),
  async (c) => {
    const { db, signingKey, secretKeys, attemptLimit, addressAttemptLimit, now } = c.var.services;
    const attempt = c.var.attempt;
    if (!(c.req.header("content-type") ?? "").toLowerCase().startsWith("application/json")) fail("unsupported_media_type", "send application/json");
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      fail("bad_request", "the body is not JSON");
    }
    const request = parseRequest(body);
    attempt.operator = request.operator;
    attempt.releaseKid = request.releaseSignature.kid;
    attempt.manifestSha256 = await sha256(request.manifest);

    const manifest = decodeManifest(request.manifest);
    attempt.model = manifest.model;
    attempt.version = manifest.version;

    const releaseKey = await findReleaseKey(db, request.releaseSignature.kid);
    if (!releaseKey) fail("cosign_release_key_unknown", request.releaseSignature.kid);
    if (releaseKey.revokedAt !== null) fail("cosign_release_key_revoked", `${request.releaseSignature.kid} revoked ${new Date(releaseKey.revokedAt).toISOString()}`);
    if (!manifest.keyIds.includes(releaseKey.key.kid)) fail("cosign_release_key_unknown", "the manifest does not list the release key");
    if (!manifest.keyIds.includes(signingKey.kid)) fail("firmware_key_unknown", "the manifest does not list the co-signer's key");
    if (!verifyEd25519(releaseKey.key.publicKey, request.releaseSignature.sig, request.manifest)) fail("firmware_signature_invalid", "release signature");
    if (now() >= manifest.expiresAt) fail("firmware_expired");

    const addressScope = `address:${attempt.address}`;
    const addressWait = await throttledFor(db, addressScope, addressAttemptLimit, now());
    if (addressWait > 0) failThrottled(c, "cosign_address_throttled", addressWait);
    const secret = await operatorTotpSecret(db, secretKeys, request.operator);
    if (secret === null) {
      await recordFailure(db, addressScope, addressAttemptLimit, now());
      fail("cosign_operator_unknown", request.operator);
    }
    const scope = operatorSubject(request.operator);
    const wait = await throttledFor(db, scope, attemptLimit, now());
    if (wait > 0) failThrottled(c, "cosign_throttled", wait);
    const countFailure = async () => {
      await recordFailure(db, scope, attemptLimit, now());
      await recordFailure(db, addressScope, addressAttemptLimit, now());
    };
    const step = matchTotpStep(secret, request.totp, now());
    if (step === null) {
      await countFailure();
      fail("cosign_totp_invalid");
    }

    const tx = await db.transaction("write");
    let signature: Uint8Array;
    try {
      if (!(await consumeTotpStep(tx, scope, step, now()))) {
        await tx.rollback();
        await countFailure();
        return fail("cosign_totp_reused");
      }
      signature = signManifest(signingKey.secretKey, request.manifest).sig;
      await appendLog(tx, { ...attempt, outcome: "granted", signature }, now());
      await clearFailures(tx, scope);
      await tx.commit();
    } finally {
      tx.close();
    }
    return c.json({ kid: signingKey.kid, sig: toBase64Url(signature) });
  },
);
