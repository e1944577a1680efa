// Byte-level edits that metadata tools make, done by hand so tests control them exactly.

import { concatBytes, utf8 } from "../../src/bytes.ts";
import { readJpegLayout } from "../../src/jpeg/segments.ts";

export function segment(marker: number, payload: Uint8Array | string): Uint8Array {
  const bytes = typeof payload === "string" ? utf8(payload) : payload;
  const length = bytes.length + 2;
  return concatBytes(Uint8Array.of(0xff, marker, length >> 8, length & 0xff), bytes);
}

export function insertAt(jpeg: Uint8Array, offset: number, ...inserted: Uint8Array[]): Uint8Array {
  return concatBytes(jpeg.subarray(0, offset), ...inserted, jpeg.subarray(offset));
}

/** Drops every APPn and COM segment before the image data, as metadata strippers do. */
export function stripMetadata(jpeg: Uint8Array): Uint8Array {
  const { imageDataStart } = readJpegLayout(jpeg);
  return concatBytes(jpeg.subarray(0, 2), jpeg.subarray(imageDataStart));
}
