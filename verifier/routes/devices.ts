import { Hono } from "hono";
import { validator } from "hono/validator";
import { bytesEqual, fromBase64Url, toBase64Url, utf8 } from "../../src/bytes.ts";
import { sha256 } from "../../src/crypto/sha256.ts";
import { ProvenanceError } from "../../src/errors.ts";
import { COSE_ALG_ES256, decodeCoseP256 } from "../../src/webauthn/cose-key.ts";
import { parseClientData } from "../../src/webauthn/client-data.ts";
import { verifyPackedAttestation } from "../../src/webauthn/verify-packed-attestation.ts";
import { credentialKey, findCredential, insertCredential } from "../db/credentials.ts";
import { recordRegistration } from "../db/device-lifecycle.ts";
import type { AppEnv } from "../services.ts";
import { fail, requireBase64Url } from "../validate.ts";
import { freshAnchor } from "./time.ts";
import { limitBody } from "../limit-body.ts";

const registration = validator("json", (body) => ({
  clientDataJSON: requireBase64Url(body, "clientDataJSON", 2048),
  attestationObject: requireBase64Url(body, "attestationObject", 16_384),
}));

/** Device registration: WebAuthn registration ceremony (L3 §7.1) with packed attestation only. */
export const devices = new Hono<AppEnv>()
  .post("/register/options", async (c) => {
    const { db, config, now } = c.var.services;
    const challenge = crypto.getRandomValues(new Uint8Array(32));
    const expiresAt = now() + config.registrationChallengeTtlMs;
    await db.batch(
      [
        { sql: "DELETE FROM registration_challenges WHERE expires_at < ?", args: [now()] },
        { sql: "INSERT INTO registration_challenges (challenge, expires_at) VALUES (?, ?)", args: [challenge, expiresAt] },
      ],
      "write",
    );
    return c.json({
      challenge: toBase64Url(challenge),
      rp: { id: config.rpId, name: "SnapSeal" },
      origin: config.origin,
      pubKeyCredParams: [{ type: "public-key", alg: COSE_ALG_ES256 }],
      attestation: "direct",
      expiresAt,
    });
  })
  .post(
    "/register",
    limitBody(() => 64 * 1024),
    (c, next) => {
      if (!(c.req.header("content-type") ?? "").toLowerCase().startsWith("application/json")) fail("unsupported_media_type", "send application/json");
      return next();
    },
    registration,
    async (c) => {
      const { db, config, trustedRoots, now } = c.var.services;
      const { clientDataJSON, attestationObject } = c.req.valid("json");

      // §7.1 steps 5-10: the client data is a create ceremony for our origin.
      let clientData;
      try {
        clientData = parseClientData(clientDataJSON);
      } catch (error) {
        fail("client_data_malformed", (error as Error).message);
      }
      if (clientData.type !== "webauthn.create") fail("client_data_type_mismatch", clientData.type);
      if (clientData.origin !== config.origin || clientData.crossOrigin === true) fail("origin_mismatch", clientData.origin);

      // §7.1 step 8: the challenge is one we issued, unexpired, and used once.
      let challenge: Uint8Array;
      try {
        challenge = fromBase64Url(clientData.challenge);
      } catch {
        fail("registration_challenge_invalid", "challenge is not base64url");
      }
      const consumed = await db.execute({ sql: "DELETE FROM registration_challenges WHERE challenge = ? RETURNING expires_at", args: [challenge] });
      const expiresAt = consumed.rows[0]?.expires_at;
      if (expiresAt === undefined || Number(expiresAt) < now()) fail("registration_challenge_invalid");

      // §7.1 steps 11-21: attestation statement, certificate and chain (see verify-packed-attestation.ts).
      const attestation = await verifyPackedAttestation({
        attestationObject,
        clientDataHash: await sha256(clientDataJSON),
        trustedRoots,
        now: new Date(now()),
      });
      // §7.1 step 13: the credential is scoped to our RP ID.
      if (!bytesEqual(attestation.authenticatorData.rpIdHash, await sha256(utf8(config.rpId)))) fail("rp_id_mismatch");
      const serial = attestation.subject.serialNumber;
      if (!serial) fail("attestation_certificate_invalid", "the attestation certificate names no device serial number");

      // §7.1 step 25: a credential ID is registered once; fewer than 16 bytes
      // could not carry the entropy §4 asks of one (and no record could name it).
      if (attestation.credentialId.length < 16) fail("attestation_malformed", "credential ID shorter than 16 bytes");
      const id = credentialKey(attestation.credentialId);
      if (await findCredential(db, id)) fail("credential_exists");
      // A factory-reset camera whose serial has an owner is held for that owner's approval.
      let registration: { pendingApproval: boolean };
      try {
        registration = await recordRegistration(
          db,
          insertCredential({
            credentialId: attestation.credentialId,
            publicKey: decodeCoseP256(attestation.credentialPublicKey),
            coseKey: attestation.credentialPublicKey,
            rpId: config.rpId,
            origin: config.origin,
            aaguid: attestation.aaguid,
            serial,
            model: attestation.subject.commonName?.replace(/ Attestation$/, "") ?? null,
            attestationCertificate: attestation.attestationCertificate,
            attestationIssuer: attestation.issuer,
            registeredAt: now(),
          }),
          { id, serial },
          now(),
        );
      } catch (error) {
        if (/UNIQUE|PRIMARY KEY/i.test(String(error))) throw new ProvenanceError("credential_exists");
        throw error;
      }
      return c.json({ credentialId: id, serial, pendingApproval: registration.pendingApproval, anchor: await freshAnchor(c.var.services) }, 201);
    },
  );
