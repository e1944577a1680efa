import { sha256 } from "../crypto/sha256.ts";
import { readJpegLayout } from "./segments.ts";

/**
 * SHA-256 of the encoded image: every byte from the first marker after the
 * leading APPn/COM segments through EOI (tables, frame header, scans). Metadata
 * tools may add, rewrite or drop those leading segments without changing it;
 * any change to the pixels or their encoding changes it.
 */
export async function imageDataHash(jpeg: Uint8Array): Promise<Uint8Array> {
  const { imageDataStart, imageDataEnd } = readJpegLayout(jpeg);
  return sha256(jpeg.subarray(imageDataStart, imageDataEnd));
}
