import { Hono } from "hono";
import { ProvenanceError } from "../../src/errors.ts";
import type { CaptureBatchResult } from "../../src/record/capture-batch.ts";
import { credentialKey } from "../db/credentials.ts";
import { CAPTURE_ID } from "../../src/record/capture-record.ts";
import { recordedCapture } from "../db/receipts.ts";
import { type LedgerOutcome, type VerifiedForLedger, recordCaptures } from "../db/ledger.ts";
import { readPhotos } from "../read-photos.ts";
import type { AppEnv } from "../services.ts";
import { type CredentialLookups, verifyPhoto } from "../verify-photo.ts";
import { freshAnchor } from "./time.ts";
import { fail } from "../validate.ts";
import { limitBody } from "../limit-body.ts";

export const captures = new Hono<AppEnv>()
  /**
   * A sync batch: photos in capture order. Each is verified (steps 1-6) in
   * parallel, then the ledger applies steps 7-8 to the batch in one transaction.
   * The answer has one result per photo; the camera marks a photo synced only
   * on "recorded" or "already_recorded".
   */
  .post(
    "/",
    limitBody((services) => services.config.maxBatchBytes),
    // Thumbnails are made only while no sync is being handled (verifier/thumbnail-queue.ts).
    async (c, next) => {
      const endOfSync = c.var.services.thumbnails?.syncing();
      try {
        await next();
      } finally {
        endOfSync?.();
      }
    },
    async (c) => {
      const services = c.var.services;
      const photos = await readPhotos(c, services.config.maxBatchPhotos);
      const receivedAt = services.now();
      const lookups: CredentialLookups = new Map();
      const verifications = await Promise.all(
        photos.map((photo) => (photo instanceof ProvenanceError ? photo : verifyPhoto(services, photo, { receivedAt, applyFreshness: true, lookups }))),
      );
      const results: CaptureBatchResult[] = [];
      const accepted: { index: number; capture: VerifiedForLedger }[] = [];
      verifications.forEach((verification, index) => {
        if (verification instanceof ProvenanceError) {
          results[index] = rejected(index, verification);
        } else if (verification.ok) {
          const { evidence } = verification;
          accepted.push({
            index,
            capture: {
              credentialId: credentialKey(evidence.record.credentialId),
              recordHash: evidence.recordHash,
              encodedRecord: evidence.encodedRecord,
              payload: evidence.payload,
            },
          });
        } else {
          results[index] = rejected(index, verification.error);
        }
      });
      const outcomes = await recordCaptures(services.db, accepted.map((item) => item.capture), receivedAt);
      outcomes.forEach((outcome, position) => {
        const { index, capture } = accepted[position]!;
        results[index] = fromOutcome(index, outcome);
        // Only a newly recorded capture gets a thumbnail, made after this answer.
        if (outcome.status === "recorded") services.thumbnails?.enqueue({ captureId: outcome.captureId, credentialId: capture.credentialId }, photos[index] as Uint8Array);
      });
      return c.json({ receivedAt, results, anchor: await freshAnchor(services) });
    },
  )
  .get("/:id", async (c) => {
    const id = c.req.param("id");
    const receipt = CAPTURE_ID.test(id) ? await recordedCapture(c.var.services.db, id) : null;
    if (!receipt) fail("not_found");
    return c.json(receipt);
  });

function rejected(index: number, error: ProvenanceError): CaptureBatchResult {
  return { index, status: "rejected", code: error.code, message: error.message };
}

function fromOutcome(index: number, outcome: LedgerOutcome): CaptureBatchResult {
  switch (outcome.status) {
    case "recorded":
      return { index, status: "recorded", captureId: outcome.captureId, chainGap: outcome.chainGap };
    case "already_recorded":
      return { index, status: "already_recorded", captureId: outcome.captureId };
    case "rejected":
      return rejected(index, outcome.error);
  }
}
