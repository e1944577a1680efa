import { Hono } from "hono";
import { toBase64Url } from "../../src/bytes.ts";
import { findCredential } from "../db/credentials.ts";
import { credentialLifecycle } from "../db/ownership.ts";
import type { AppEnv } from "../services.ts";
import { fail } from "../validate.ts";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Public status of a credential: what a third party needs to verify a record
 * itself (the public key and what it was registered for) and to trust it,
 * including its lifecycle (revoked, reported stolen, held for approval) and
 * its current owner.
 */
export const credentials = new Hono<AppEnv>().get("/:id/status", async (c) => {
  const { db } = c.var.services;
  const id = c.req.param("id");
  if (!/^[A-Za-z0-9_-]{22,1400}$/.test(id)) fail("not_found");
  const credential = await findCredential(db, id);
  if (!credential) fail("not_found");
  const lifecycle = await credentialLifecycle(db, credential.id);
  return c.json({
    credentialId: credential.id,
    registered: true,
    registeredAt: iso(credential.registeredAt),
    revokedAt: iso(credential.revokedAt),
    flagged: credential.flaggedAt !== null,
    flagReason: credential.flagReason,
    status: lifecycle.status,
    approvalPending: lifecycle.status === "pending_approval",
    reportedStolenAt: lifecycle.reportedStolenAt,
    owner: lifecycle.owner,
    lastCounter: credential.lastCounter,
    rpId: credential.rpId,
    origin: credential.origin,
    publicKey: toBase64Url(credential.coseKey),
    device: { serial: credential.serial, model: credential.model, aaguid: toBase64Url(credential.aaguid) },
    attestation: { issuer: credential.attestationIssuer, certificate: toBase64Url(credential.attestationCertificate) },
  });
});
