import { Hono } from "hono";
import { validator } from "hono/validator";
import { toBase64Url } from "../../src/bytes.ts";
import { type DeviceAssertion, verifyDeviceAssertion } from "../../src/webauthn/verify-device-assertion.ts";
import { type StoredCredential, credentialKey, findCredential } from "../db/credentials.ts";
import { credentialLifecycle } from "../db/ownership.ts";
import { type DevicePurpose, consumeDeviceChallenge, issueDeviceChallenge, issuePairingCode, pairingState } from "../db/pairing-codes.ts";
import { limitBody } from "../limit-body.ts";
import type { AppEnv, Services } from "../services.ts";
import { fail, requireBase64Url } from "../validate.ts";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const smallBody = limitBody(() => 16 * 1024);

const credentialIdOf = (body: unknown): string => credentialKey(requireBase64Url(body, "credentialId", 1400));

const challengeRequest = validator("json", (body) => {
  const purpose = (body as Record<string, unknown> | null)?.purpose;
  if (purpose !== "pair" && purpose !== "status") fail("bad_request", 'purpose must be "pair" or "status"');
  return { credentialId: credentialIdOf(body), purpose: purpose as DevicePurpose };
});

const deviceProof = validator("json", (body) => ({
  credentialId: credentialIdOf(body),
  assertion: {
    clientDataJSON: requireBase64Url(body, "clientDataJSON", 2048),
    authenticatorData: requireBase64Url(body, "authenticatorData", 512),
    signature: requireBase64Url(body, "signature", 256),
  } satisfies DeviceAssertion,
}));

const pollRequest = validator("json", (body) => {
  const pollSecret = (body as Record<string, unknown> | null)?.pollSecret;
  if (typeof pollSecret !== "string" || pollSecret.length === 0 || pollSecret.length > 128) fail("bad_request", "pollSecret must be a string");
  return { pollSecret };
});

/**
 * Who is asking, proven rather than claimed. The checks, in order:
 * 1. the named credential is registered (credential_unknown);
 * 2. it signed, as WebAuthn assertions go, a challenge this verifier issued
 *    to it for this purpose, unexpired and unused (verifyDeviceAssertion:
 *    device_challenge_invalid, origin, rpId, flags, signature_invalid).
 * A serial number, a credential id or anything else in the request proves nothing.
 */
async function authenticatedDevice(
  services: Services,
  proof: { credentialId: string; assertion: DeviceAssertion },
  purpose: DevicePurpose,
): Promise<StoredCredential> {
  const credential = await findCredential(services.db, proof.credentialId);
  if (!credential) fail("credential_unknown");
  await verifyDeviceAssertion(proof.assertion, {
    credential,
    consumeChallenge: (challenge) => consumeDeviceChallenge(services.db, challenge, credential.id, purpose, services.now()),
  });
  return credential;
}

/**
 * The camera's side of pairing and of its own status (device-flow style): it
 * proves it holds its credential, shows a one-time code, and polls with a
 * secret only it received until a signed-in owner enters the code.
 */
export const pairing = new Hono<AppEnv>()
  .post("/challenge", smallBody, challengeRequest, async (c) => {
    const { db, config, now } = c.var.services;
    const { credentialId, purpose } = c.req.valid("json");
    if (!(await findCredential(db, credentialId))) fail("credential_unknown");
    const { challenge, expiresAt } = await issueDeviceChallenge(db, credentialId, purpose, now(), config.deviceChallengeTtlMs);
    return c.json({ challenge: toBase64Url(challenge), purpose, expiresAt: iso(expiresAt) }, 201);
  })
  .post("/pairing-codes", smallBody, deviceProof, async (c) => {
    const services = c.var.services;
    const credential = await authenticatedDevice(services, c.req.valid("json"), "pair");
    const issued = await issuePairingCode(services.db, credential.id, services.now(), services.config.pairingCodeTtlMs);
    return c.json(
      { code: issued.code, expiresAt: iso(issued.expiresAt), pollSecret: issued.pollSecret, pollIntervalMs: services.config.pairingPollIntervalMs },
      201,
    );
  })
  .post("/pairing-codes/poll", smallBody, pollRequest, async (c) => {
    const { db, now } = c.var.services;
    const state = await pairingState(db, c.req.valid("json").pollSecret, now());
    if (!state) fail("not_found");
    switch (state.state) {
      case "waiting":
        return c.json({ state: "waiting", expiresAt: iso(state.expiresAt) });
      case "expired":
        return c.json({ state: "expired" });
      case "claimed":
        return c.json({ state: "claimed", owner: { displayName: state.ownerDisplayName } });
    }
  })
  .post("/status", smallBody, deviceProof, async (c) => {
    const services = c.var.services;
    const credential = await authenticatedDevice(services, c.req.valid("json"), "status");
    const lifecycle = await credentialLifecycle(services.db, credential.id);
    return c.json({
      credentialId: credential.id,
      registered: true,
      registeredAt: iso(credential.registeredAt),
      serial: credential.serial,
      model: credential.model,
      status: lifecycle.status,
      owner: lifecycle.owner,
      revokedAt: iso(credential.revokedAt),
      reportedStolenAt: lifecycle.reportedStolenAt,
      flagged: credential.flaggedAt !== null,
      flagReason: credential.flagReason,
      lastCounter: credential.lastCounter,
      reregistration: lifecycle.reregistration,
    });
  });
