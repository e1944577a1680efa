import { Hono } from "hono";
import { ProvenanceError } from "../../src/errors.ts";
import { captureIdFor } from "../../src/record/capture-record.ts";
import { exifDisagreements } from "../../src/verify/exif-disagreements.ts";
import { reportOf } from "../../src/verify/report.ts";
import { attributionOf } from "../db/ownership.ts";
import { receiptTime } from "../db/receipts.ts";
import { httpStatusFor } from "../http-errors.ts";
import { readPhotos } from "../read-photos.ts";
import type { AppEnv } from "../services.ts";
import { fail } from "../validate.ts";
import { verifyPhoto } from "../verify-photo.ts";
import { limitBody } from "../limit-body.ts";

/**
 * The public check: anyone posts a photo and learns which registered device
 * sealed it, when, whether its pixels changed, and whether it was recorded.
 * A recorded capture is judged by its receipt time, so it stays valid if the
 * device is revoked later ("sealed before revocation"); an unrecorded one is
 * judged as if received now. The owner named is the one at capture time.
 */
export const provenance = new Hono<AppEnv>().post(
  "/check",
  // A photo and the multipart envelope around it.
  limitBody((services) => services.config.maxPhotoBytes + 64 * 1024),
  async (c) => {
    const services = c.var.services;
    const [photo] = await readPhotos(c, 1);
    if (photo === undefined) return fail("bad_request", "no photo");
    if (photo instanceof ProvenanceError) throw photo;
    const result = await verifyPhoto(services, photo, { receivedAt: services.now(), applyFreshness: false });
    const receivedAt = result.evidence.recordHash ? await receiptTime(services.db, result.evidence.recordHash) : null;
    const credential = result.evidence.credential;
    // Who owned the camera when it sealed this, and how its credential stands: for a record whose signature verified.
    const attribution = credential
      ? await attributionOf(services.db, credential.id, {
          capturedAt: result.evidence.payload!.capturedAt,
          signatureVerified: result.passed.includes("signature"),
          sealedBeforeRevocation: result.passed.includes("credential"),
        })
      : null;
    // A file that is not a well-formed photo with a well-formed record is bad
    // input (4xx, with the usual error body); every other outcome, "no record"
    // and "refused" included, is an answer to a good question (200).
    const malformed = !result.ok && result.failedStep === "parse" && result.error.code !== "record_missing";
    const status = malformed ? httpStatusFor(result.error.code) : 200;
    return c.json({
      ...(malformed ? { error: { code: result.error.code, message: result.error.message } } : {}),
      ...reportOf(result),
      exifDisagreements: result.evidence.payload ? exifDisagreements(photo, result.evidence.payload) : [],
      recorded: receivedAt === null ? null : { captureId: captureIdFor(result.evidence.recordHash!), receivedAt: new Date(receivedAt).toISOString() },
      device: credential
        ? {
            serial: credential.serial,
            model: credential.model,
            registeredAt: new Date(credential.registeredAt).toISOString(),
            revokedAt: credential.revokedAt === null ? null : new Date(credential.revokedAt).toISOString(),
            flagged: credential.flaggedAt !== null,
            status: attribution!.status,
          }
        : null,
      owner: attribution?.owner ?? null,
      revocation: attribution?.revocation ?? null,
    }, status);
  },
);
