import type { Context } from "hono";
import { ProvenanceError } from "../src/errors.ts";
import { CAPTURE_BATCH_MEDIA_TYPE, decodeCaptureBatch } from "../src/record/capture-batch.ts";
import type { AppEnv } from "./services.ts";

/**
 * Photos arrive as a CBOR capture batch (what cameras send; see
 * src/record/capture-batch.ts), as multipart/form-data "photo" parts, both in
 * capture order, or, for a single check, as a raw image/jpeg body. A part over the photo
 * limit is returned as its error, in its place, so one oversized photo is
 * refused on its own instead of blocking the rest of a camera's queue.
 */
export async function readPhotos(c: Context<AppEnv>, maxPhotos: number): Promise<(Uint8Array | ProvenanceError)[]> {
  const { maxPhotoBytes } = c.var.services.config;
  const type = (c.req.header("content-type") ?? "").toLowerCase();
  if (type.startsWith("image/jpeg")) {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length > maxPhotoBytes) throw new ProvenanceError("image_too_large");
    return [bytes];
  }
  if (type.startsWith(CAPTURE_BATCH_MEDIA_TYPE)) {
    return decodeCaptureBatch(new Uint8Array(await c.req.arrayBuffer()), { maxPhotos, maxPhotoBytes });
  }
  if (!type.startsWith("multipart/form-data")) {
    throw new ProvenanceError("unsupported_media_type", "send application/cbor (a batch), multipart/form-data with photo parts, or image/jpeg");
  }
  let form: FormData;
  try {
    form = await c.req.formData();
  } catch {
    throw new ProvenanceError("bad_request", "the multipart body does not parse");
  }
  const parts = form.getAll("photo");
  if (parts.length === 0) throw new ProvenanceError("bad_request", "no photo parts");
  if (parts.length > maxPhotos) throw new ProvenanceError("bad_request", `at most ${maxPhotos} photos per request`);
  const photos: (Uint8Array | ProvenanceError)[] = [];
  for (const part of parts) {
    if (typeof part === "string") throw new ProvenanceError("bad_request", "photo parts must be files");
    photos.push(part.size > maxPhotoBytes ? new ProvenanceError("image_too_large", `${part.size} bytes`) : new Uint8Array(await part.arrayBuffer()));
  }
  return photos;
}
