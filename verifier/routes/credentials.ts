import { Hono } from "hono";
import { toBase64Url } from "../../src/bytes.ts";
import { findCredential } from "../db/credentials.ts";
import { credentialLifecycle } from "../db/ownership.ts";
import { CAPTURE_ID } from "../../src/record/capture-record.ts";
import { type RecordedCaptureAnswer, recordedCapture } from "../db/receipts.ts";
import type { AppEnv } from "../services.ts";
import { fail } from "../validate.ts";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Public status of a credential: what a third party needs to verify a record
 * itself (the public key and what it was registered for) and to trust it,
 * including its lifecycle (revoked, reported stolen, held for approval) and
 * its current owner. With `?capture=<id>` it adds that capture's receipt (or
 * null if this credential has none by that id), so a checker in a browser
 * learns all it needs in one round trip.
 */
export const credentials = new Hono<AppEnv>().get("/:id/status", async (c) => {
  const { db } = c.var.services;
  const id = c.req.param("id");
  if (!/^[A-Za-z0-9_-]{22,1400}$/.test(id)) fail("not_found");
  const credential = await findCredential(db, id);
  if (!credential) fail("not_found");
  const lifecycle = await credentialLifecycle(db, credential.id);
  const captureId = c.req.query("capture");
  let capture: RecordedCaptureAnswer | null | undefined;
  if (captureId !== undefined) {
    const found = CAPTURE_ID.test(captureId) ? await recordedCapture(db, captureId) : null;
    capture = found?.credentialId === credential.id ? found : null;
  }
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
    ...(capture === undefined ? {} : { capture }),
  });
});
