// piexifjs decodes a tag by building a string or array as long as the tag's
// count before it looks at any bytes, so one forged count (2^32 bytes, say)
// exhausts memory instead of throwing. Before piexifjs sees an existing Exif
// segment, this walks the IFDs it visits (0th, Exif, GPS, Interop, 1st) and
// refuses values that cannot fit in the segment.

import { ProvenanceError } from "../errors.ts";

/** Bytes per value of TIFF field types 1 (BYTE) to 12 (DOUBLE). */
const TYPE_SIZES: readonly number[] = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8];
const EXIF_IFD_POINTER = 0x8769;
const GPS_IFD_POINTER = 0x8825;
const INTEROP_IFD_POINTER = 0xa005;

interface Ifd {
  /** Each tag's 4-byte value field, read as an offset: where the pointer tags point. */
  readonly offsets: ReadonlyMap<number, number>;
  readonly next: number;
}

/** `tiff` is an Exif APP1 payload after "Exif\0\0": a TIFF header and its IFDs. */
export function assertTiffValuesInBounds(tiff: Uint8Array): void {
  if (tiff.length < 8) malformed("TIFF header truncated");
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const byteOrder = view.getUint16(0);
  if (byteOrder !== 0x4949 && byteOrder !== 0x4d4d) malformed("unknown TIFF byte order");
  const little = byteOrder === 0x4949;
  // Values of a well-formed Exif segment do not overlap, so together they fit in it.
  const budget = { bytes: tiff.length };

  const zeroth = readIfd(view, view.getUint32(4, little), little, budget);
  const exifAt = zeroth.offsets.get(EXIF_IFD_POINTER);
  if (exifAt !== undefined) {
    const interopAt = readIfd(view, exifAt, little, budget).offsets.get(INTEROP_IFD_POINTER);
    if (interopAt !== undefined) readIfd(view, interopAt, little, budget);
  }
  const gpsAt = zeroth.offsets.get(GPS_IFD_POINTER);
  if (gpsAt !== undefined) readIfd(view, gpsAt, little, budget);
  if (zeroth.next !== 0) readIfd(view, zeroth.next, little, budget);
}

function readIfd(view: DataView, offset: number, little: boolean, budget: { bytes: number }): Ifd {
  if (offset + 2 > view.byteLength) malformed(`IFD at ${offset} lies outside the segment`);
  const entries = view.getUint16(offset, little);
  const end = offset + 2 + entries * 12;
  if (end > view.byteLength) malformed(`IFD at ${offset} runs past the segment`);
  const offsets = new Map<number, number>();
  for (let entry = offset + 2; entry < end; entry += 12) {
    const tag = view.getUint16(entry, little);
    const size = (TYPE_SIZES[view.getUint16(entry + 2, little)] ?? 0) * view.getUint32(entry + 4, little);
    // Values of up to 4 bytes sit in the entry itself.
    if (size > 4) {
      budget.bytes -= size;
      if (budget.bytes < 0) malformed(`tag 0x${tag.toString(16)} claims ${size} bytes, more than the segment holds`);
    }
    offsets.set(tag, view.getUint32(entry + 8, little));
  }
  const next = end + 4 <= view.byteLength ? view.getUint32(end, little) : 0;
  return { offsets, next };
}

function malformed(reason: string): never {
  throw new ProvenanceError("image_malformed", `Exif segment: ${reason}`);
}
