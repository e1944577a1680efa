import { Hono } from "hono";
import { ProvenanceError } from "../../src/errors.ts";
import type { CaptureBatchResult } from "../../src/record/capture-batch.ts";
import { credentialKey } from "../db/credentials.ts";
import { CAPTURE_ID, recordedCapture } from "../db/receipts.ts";
import { type LedgerOutcome, type VerifiedForLedger, recordCaptures } from "../db/ledger.ts";
import { storeThumbnails } from "../db/thumbnails.ts";
import { readPhotos } from "../read-photos.ts";
import type { AppEnv, Services, Thumbnail } from "../services.ts";
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
      // Thumbnails are made while the ledger transaction runs, and stored only for records it newly accepted.
      const thumbnails = Promise.all(accepted.map((item) => thumbnailOrNull(services, photos[item.index] as Uint8Array)));
      const outcomes = await recordCaptures(services.db, accepted.map((item) => item.capture), receivedAt);
      outcomes.forEach((outcome, position) => {
        const index = accepted[position]!.index;
        results[index] = fromOutcome(index, outcome);
      });
      await storeRecordedThumbnails(services, outcomes, await thumbnails);
      return c.json({ receivedAt, results, anchor: await freshAnchor(services) });
    },
  )
  .get("/:id", async (c) => {
    const id = c.req.param("id");
    const receipt = CAPTURE_ID.test(id) ? await recordedCapture(c.var.services.db, id) : null;
    if (!receipt) fail("not_found");
    return c.json(receipt);
  });

/** A thumbnail is a convenience for the owner: failing to make or store one never refuses or loses a capture. */
async function thumbnailOrNull(services: Services, jpeg: Uint8Array): Promise<Thumbnail | null> {
  if (!services.thumbnail) return null;
  try {
    return await services.thumbnail(jpeg);
  } catch (error) {
    console.error("verifier: no thumbnail for a verified photo", error);
    return null;
  }
}

async function storeRecordedThumbnails(services: Services, outcomes: LedgerOutcome[], thumbnails: (Thumbnail | null)[]): Promise<void> {
  const made = outcomes.flatMap((outcome, position) => {
    const thumbnail = thumbnails[position];
    return outcome.status === "recorded" && thumbnail ? [{ captureId: outcome.captureId, thumbnail }] : [];
  });
  try {
    await storeThumbnails(services.db, made);
  } catch (error) {
    console.error("verifier: storing thumbnails failed; the captures are recorded without them", error);
  }
}

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
