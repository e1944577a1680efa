// Walks the marker structure of a JPEG (ITU-T T.81 annex B) to find where the
// metadata ends and the encoded image begins and ends. Web APIs only.

import { ProvenanceError } from "../errors.ts";

/** Second bytes of the markers this layer acts on (the first byte is always 0xFF). */
export const Marker = {
  SOI: 0xd8,
  EOI: 0xd9,
  SOS: 0xda,
  APP0: 0xe0,
  APP1: 0xe1,
  COM: 0xfe,
} as const;

/** A marker segment in the file: `offset` is its 0xFF; `length` counts the two marker bytes too. */
export interface JpegSegment {
  readonly marker: number;
  readonly offset: number;
  readonly length: number;
}

export interface JpegLayout {
  /** The APPn and COM segments between SOI and the image data, in file order. */
  readonly metadata: readonly JpegSegment[];
  /** The first frame header (SOFn). */
  readonly frame: JpegSegment;
  /** Offset of the first marker that is neither SOI, APPn nor COM. */
  readonly imageDataStart: number;
  /**
   * Offset just past the last EOI marker in the file. Everything a decoder
   * reads (tables, frame, every scan) lies before it; bytes after it do not.
   */
  readonly imageDataEnd: number;
}

export function readJpegLayout(jpeg: Uint8Array): JpegLayout {
  const { metadata, imageDataStart } = readLeadingSegments(jpeg);
  let frame: JpegSegment | undefined;
  let position = imageDataStart;
  for (;;) {
    const at = markerAt(jpeg, position);
    const marker = jpeg[at + 1]!;
    if (marker === Marker.EOI) malformed(`EOI at offset ${at} before any scan`);
    if (isStandaloneMarker(marker)) {
      position = at + 2;
      continue;
    }
    if (marker === Marker.SOI || marker === 0x00) malformed(`unexpected 0xFF${hex(marker)} at offset ${at}`);
    const segment = segmentAt(jpeg, at, marker);
    position = at + segment.length;
    if (isFrameMarker(marker)) {
      frame ??= segment;
    } else if (marker === Marker.SOS) {
      if (frame === undefined) malformed(`scan at offset ${at} before any frame header`);
      return { metadata, frame, imageDataStart, imageDataEnd: endOfLastEoi(jpeg, position) };
    }
  }
}

/**
 * The APPn and COM segments after SOI, and where the image data starts. It
 * reads nothing past them, so a file's first bytes are enough (the check page
 * looks up a record's credential while the rest of the file is still being read).
 */
export function readLeadingSegments(jpeg: Uint8Array): Pick<JpegLayout, "metadata" | "imageDataStart"> {
  if (jpeg.length < 2 || jpeg[0] !== 0xff || jpeg[1] !== Marker.SOI) malformed("no SOI marker");
  const metadata: JpegSegment[] = [];
  let position = 2;
  for (;;) {
    const at = markerAt(jpeg, position);
    const marker = jpeg[at + 1]!;
    if (!isMetadataMarker(marker)) return { metadata, imageDataStart: at };
    const segment = segmentAt(jpeg, at, marker);
    metadata.push(segment);
    position = at + segment.length;
  }
}

/** SOF0–SOF15, leaving out the codes T.81 gives to DHT, JPG and DAC. */
function isFrameMarker(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function isMetadataMarker(marker: number): boolean {
  return (marker >= 0xe0 && marker <= 0xef) || marker === Marker.COM;
}

/** TEM and RST0–RST7 carry no length field. */
function isStandaloneMarker(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);
}

/** Finds the 0xFF that starts the marker at `position`, past any 0xFF fill bytes. */
function markerAt(jpeg: Uint8Array, position: number): number {
  if (position >= jpeg.length) malformed("the file ends before EOI");
  if (jpeg[position] !== 0xff) malformed(`expected a marker at offset ${position}, found 0x${hex(jpeg[position]!)}`);
  let at = position;
  while (at + 1 < jpeg.length && jpeg[at + 1] === 0xff) at++;
  if (at + 1 >= jpeg.length) malformed("the file ends inside a marker");
  return at;
}

function segmentAt(jpeg: Uint8Array, at: number, marker: number): JpegSegment {
  if (at + 4 > jpeg.length) malformed(`segment 0xFF${hex(marker)} at offset ${at} is truncated`);
  const fieldLength = (jpeg[at + 2]! << 8) | jpeg[at + 3]!;
  if (fieldLength < 2) malformed(`segment 0xFF${hex(marker)} at offset ${at} has length ${fieldLength}`);
  if (at + 2 + fieldLength > jpeg.length) {
    malformed(`segment 0xFF${hex(marker)} at offset ${at} runs past the end of the file`);
  }
  return { marker, offset: at, length: 2 + fieldLength };
}

/**
 * Finds the end of the last EOI marker after `from`, searching back from the end
 * of the file. Entropy-coded data never holds 0xFF 0xD9 (a 0xFF there is followed
 * by 0x00 or RSTn), so this needs no walk through multi-megabyte scans: a camera
 * file ends in EOI and the search stops at once. A file cut short has none.
 */
function endOfLastEoi(jpeg: Uint8Array, from: number): number {
  for (let at = jpeg.lastIndexOf(Marker.EOI); at > from; at = jpeg.lastIndexOf(Marker.EOI, at - 1)) {
    if (jpeg[at - 1] === 0xff) return at + 1;
  }
  return malformed("no EOI marker after the first scan: the file is truncated");
}

function hex(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, "0");
}

function malformed(reason: string): never {
  throw new ProvenanceError("image_malformed", reason);
}
