import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { captureIdFor } from "../../src/record/capture-record.ts";
import { reportOf } from "../../src/verify/report.ts";
import { readPhotos } from "../read-photos.ts";
import type { AppEnv } from "../services.ts";
import { fail } from "../validate.ts";
import { verifyPhoto } from "../verify-photo.ts";

/**
 * The public check: anyone posts a photo and learns which registered device
 * sealed it, when, whether its pixels changed, and whether it was recorded.
 * A recorded capture is judged by its receipt time, so it stays valid if the
 * device is revoked later; an unrecorded one is judged as if received now.
 */
export const provenance = new Hono<AppEnv>().post(
  "/check",
  (c, next) => bodyLimit({ maxSize: c.var.services.config.maxPhotoBytes + 64 * 1024, onError: () => fail("body_too_large") })(c, next),
  async (c) => {
    const services = c.var.services;
    const [photo] = await readPhotos(c, 1);
    let receivedAt = services.now();
    let recorded: { captureId: string; receivedAt: string } | null = null;
    const first = await verifyPhoto(services, photo!, { receivedAt, applyFreshness: false });
    let result = first;
    if (first.evidence.recordHash) {
      const captureId = captureIdFor(first.evidence.recordHash);
      const row = (await services.db.execute({ sql: "SELECT received_at FROM captures WHERE id = ?", args: [captureId] })).rows[0];
      if (row) {
        receivedAt = Number(row.received_at);
        recorded = { captureId, receivedAt: new Date(receivedAt).toISOString() };
        if (!first.ok && first.error.code === "credential_revoked") {
          result = await verifyPhoto(services, photo!, { receivedAt, applyFreshness: false });
        }
      }
    }
    const credential = result.evidence.credential;
    return c.json({
      ...reportOf(result),
      recorded,
      device: credential
        ? {
            serial: credential.serial,
            model: credential.model,
            registeredAt: new Date(credential.registeredAt).toISOString(),
            revokedAt: credential.revokedAt === null ? null : new Date(credential.revokedAt).toISOString(),
            flagged: credential.flaggedAt !== null,
          }
        : null,
    });
  },
);
