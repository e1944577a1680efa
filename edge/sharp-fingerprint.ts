// Node-only: decodes and downscales with sharp (libvips) for the pure dHash in
// src/jpeg/fingerprint.ts. The camera fingerprints its sensor pixels with
// fingerprintRaw and the verifier fingerprints the JPEG it is shown with
// fingerprintJpeg; both must reduce the same picture to nearly the same 9x8.

import sharp, { type Sharp } from "sharp";
import { plainBytes } from "../src/bytes.ts";
import { ProvenanceError } from "../src/errors.ts";
import { FINGERPRINT_SIZE, dhash } from "../src/jpeg/fingerprint.ts";

export interface RawLayout {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 2 | 3 | 4;
}

export async function fingerprintJpeg(jpeg: Uint8Array): Promise<Uint8Array> {
  return fingerprint(() => sharp(jpeg));
}

/** For uncompressed 8-bit pixels, row-major and interleaved, as a sensor pipeline hands them over. */
export async function fingerprintRaw(pixels: Uint8Array, layout: RawLayout): Promise<Uint8Array> {
  return fingerprint(() => sharp(pixels, { raw: { width: layout.width, height: layout.height, channels: layout.channels } }));
}

/** Takes a thunk because sharp() itself throws on bad raw dimensions, and that too must become image_malformed. */
async function fingerprint(open: () => Sharp): Promise<Uint8Array> {
  let gray: Uint8Array;
  try {
    // No .rotate(): the fingerprint, like the content hash, covers the encoded
    // pixels, so a tool that only rewrites the Exif Orientation tag leaves it alone.
    const { data, info } = await open()
      .removeAlpha()
      .grayscale()
      .resize(FINGERPRINT_SIZE.width, FINGERPRINT_SIZE.height, { fit: "fill" })
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 1) throw new Error(`expected 1 channel, got ${info.channels}`);
    gray = plainBytes(data);
  } catch (error) {
    throw new ProvenanceError("image_malformed", `cannot decode the picture: ${error instanceof Error ? error.message : String(error)}`);
  }
  return dhash(gray);
}
