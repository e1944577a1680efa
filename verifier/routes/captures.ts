import { Hono } from "hono";
import { toBase64Url, toHex } from "../../src/bytes.ts";
import { ProvenanceError } from "../../src/errors.ts";
import type { CaptureBatchResult } from "../../src/record/capture-batch.ts";
import { sealedBeforeRevocation } from "../../src/verify/verify-capture.ts";
import { credentialKey } from "../db/credentials.ts";
import { type LedgerOutcome, type VerifiedForLedger, recordCaptures } from "../db/ledger.ts";
import { attributionOf } from "../db/ownership.ts";
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
    const { db } = c.var.services;
    const id = c.req.param("id");
    if (!/^[A-Za-z0-9_-]{24}$/.test(id)) fail("not_found");
    const row = (
      await db.execute({
        sql: `SELECT c.*, cr.revoked_at, cr.flagged_at, cr.flag_reason,
                (SELECT id FROM captures p WHERE p.credential_id = c.credential_id AND p.counter < c.counter ORDER BY p.counter DESC LIMIT 1) AS previous_id,
                (SELECT id FROM captures n WHERE n.credential_id = c.credential_id AND n.counter > c.counter ORDER BY n.counter ASC LIMIT 1) AS next_id,
                (SELECT COUNT(*) FROM captures q WHERE q.credential_id = c.credential_id AND q.counter <= c.counter) AS position
              FROM captures c JOIN credentials cr ON cr.id = c.credential_id WHERE c.id = ?`,
        args: [id],
      })
    ).rows[0];
    if (!row) fail("not_found");
    const capturedAt = Number(row.captured_at);
    const revokedAt = row.revoked_at === null ? null : Number(row.revoked_at);
    // Recorded means its signature verified at sync; the owner named is the one at capture time.
    const attribution = await attributionOf(db, String(row.credential_id), {
      capturedAt,
      signatureVerified: true,
      sealedBeforeRevocation: revokedAt !== null && sealedBeforeRevocation(capturedAt, Number(row.received_at), revokedAt),
    });
    return c.json({
      id: String(row.id),
      credentialId: String(row.credential_id),
      source: String(row.source),
      capturedAt: new Date(Number(row.captured_at)).toISOString(),
      receivedAt: new Date(Number(row.received_at)).toISOString(),
      anchoredAfter: row.anchor_t === null ? null : new Date(Number(row.anchor_t)).toISOString(),
      counter: Number(row.counter),
      chain: {
        position: Number(row.position),
        gapBefore: Number(row.chain_gap) === 1,
        previousId: row.previous_id === null ? null : String(row.previous_id),
        nextId: row.next_id === null ? null : String(row.next_id),
      },
      device: { serial: String(row.serial), model: String(row.model), firmware: String(row.firmware) },
      image: { width: Number(row.width), height: Number(row.height), contentHash: toHex(new Uint8Array(row.content_hash as ArrayBuffer)) },
      recordHash: toHex(new Uint8Array(row.record_hash as ArrayBuffer)),
      // The signed record itself, so anyone can check its signature without the photo.
      record: toBase64Url(new Uint8Array(row.record as ArrayBuffer)),
      credential: {
        revokedAt: row.revoked_at === null ? null : new Date(Number(row.revoked_at)).toISOString(),
        flagged: row.flagged_at !== null,
        flagReason: row.flag_reason === null ? null : String(row.flag_reason),
        status: attribution.status,
      },
      owner: attribution.owner,
      revocation: attribution.revocation,
    });
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
