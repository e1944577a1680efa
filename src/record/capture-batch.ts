import { Encoder } from "cbor-x";
import { ProvenanceError } from "../errors.ts";

/**
 * A sync batch on the wire: one CBOR array of byte strings, the sealed JPEGs in
 * capture order (media type application/cbor). Decoding hands out views into
 * the request body, so a batch of 12-megapixel photos is never copied again;
 * multipart/form-data stays accepted for clients that cannot build CBOR.
 */
export const CAPTURE_BATCH_MEDIA_TYPE = "application/cbor";

const cbor = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false });

export function encodeCaptureBatch(photos: Uint8Array[]): Uint8Array {
  return new Uint8Array(cbor.encode(photos));
}

/** Each photo, or in its place the error that refuses it alone (too large). */
export function decodeCaptureBatch(body: Uint8Array, limits: { maxPhotos: number; maxPhotoBytes: number }): (Uint8Array | ProvenanceError)[] {
  let value: unknown;
  try {
    value = cbor.decode(body);
  } catch (error) {
    throw new ProvenanceError("bad_request", `the batch is not one CBOR item: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!Array.isArray(value) || value.length === 0) throw new ProvenanceError("bad_request", "the batch must be a non-empty CBOR array of byte strings");
  if (value.length > limits.maxPhotos) throw new ProvenanceError("bad_request", `at most ${limits.maxPhotos} photos per request`);
  return value.map((photo: unknown) => {
    if (!(photo instanceof Uint8Array)) throw new ProvenanceError("bad_request", "every batch item must be a byte string");
    return photo.length > limits.maxPhotoBytes ? new ProvenanceError("image_too_large", `${photo.length} bytes`) : photo;
  });
}

/** The verifier's answer for one photo of a batch, at the photo's index. */
export type CaptureBatchResult =
  | { index: number; status: "recorded"; captureId: string; chainGap: boolean }
  | { index: number; status: "already_recorded"; captureId: string }
  | { index: number; status: "rejected"; code: string; message: string };
