// Carries the capture record in the Exif IFD's MakerNote, behind RECORD_PREFIX.
// piexifjs writes it, exifreader reads it back. Both only ever see the Exif
// segment: they work on binary strings or copies, which for a whole 10 MB JPEG
// would cost more than hashing it.

// exifreader has no "exports" map: Node loads its CommonJS build, whose
// module.exports carries load/loadView; bundlers load its ES build, whose default
// export does. Only a default import works in Node, Deno and bundles alike.
import ExifReader from "exifreader";
import piexif, { type ExifDict } from "piexifjs";
import { bytesEqual, concatBytes, utf8 } from "../bytes.ts";
import { ProvenanceError } from "../errors.ts";
import { Marker, readJpegLayout, readLeadingSegments, type JpegLayout, type JpegSegment } from "./segments.ts";
import { assertTiffValuesInBounds } from "./tiff-bounds.ts";

const RECORD_SIGNATURE = utf8("SnapSeal");
export const RECORD_FORMAT_VERSION = 0x01;
/** What a MakerNote holding a SnapSeal record starts with: ASCII "SnapSeal", then the format version. */
export const RECORD_PREFIX: Uint8Array = concatBytes(RECORD_SIGNATURE, Uint8Array.of(RECORD_FORMAT_VERSION));

const MAKER_NOTE_TAG = 0x927c;
const EXIF_IDENTIFIER = utf8("Exif\0\0");
/** A segment's 16-bit length field counts itself, so its payload is at most 65535 - 2 bytes. */
const MAX_SEGMENT_PAYLOAD = 65533;

/**
 * Returns a copy of `jpeg` whose Exif MakerNote holds `record`. Other Exif tags
 * that piexifjs knows are kept; a MakerNote already there (ours or a vendor's) is
 * replaced. The image data is copied untouched, so its hash does not change.
 */
export function embedRecord(jpeg: Uint8Array, record: Uint8Array): Uint8Array {
  return concatBytes(...embedRecordParts(jpeg, record));
}

/**
 * The same file as embedRecord's, as the pieces that make it up in order: views
 * into `jpeg` around a new Exif segment. A camera writes them with one vectored
 * write and never copies the megabytes of image data.
 */
export function embedRecordParts(jpeg: Uint8Array, record: Uint8Array): Uint8Array[] {
  const layout = readJpegLayout(jpeg);
  const exifSegments = layout.metadata.filter((segment) => isExifSegment(jpeg, segment));
  const existing = exifSegments[0];
  const exif = existing === undefined ? emptyExif() : loadExif(jpeg, existing);
  exif.Exif[MAKER_NOTE_TAG] = toBinaryString(concatBytes(RECORD_PREFIX, record));
  const payload = dumpExif(exif);
  if (payload.length > MAX_SEGMENT_PAYLOAD) {
    throw new ProvenanceError(
      "record_too_large",
      `the Exif segment would be ${payload.length} bytes, over the ${MAX_SEGMENT_PAYLOAD} a JPEG segment holds`,
    );
  }
  const app1 = concatBytes(
    Uint8Array.of(0xff, Marker.APP1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff),
    payload,
  );

  // Only the first Exif segment is ever read, by us and by most tools; dropping
  // any later ones leaves exifreader nothing to choose between.
  const insertAt = existing?.offset ?? endOfLeadingApp0(layout);
  const parts = [jpeg.subarray(0, insertAt), app1];
  let cursor = insertAt;
  for (const segment of exifSegments) {
    parts.push(jpeg.subarray(cursor, segment.offset));
    cursor = segment.offset + segment.length;
  }
  parts.push(jpeg.subarray(cursor));
  return parts;
}

/**
 * Returns the record embedded by embedRecord, or null when the JPEG has no Exif
 * segment or the first one has no MakerNote, or one that is not ours.
 */
export function extractRecord(jpeg: Uint8Array): Uint8Array | null {
  return recordIn(readExifTags(jpeg));
}

/**
 * The record from a file's first bytes alone (its leading segments), without
 * the whole-file checks extractRecord makes: only a hint, for a lookup that can
 * start while the rest is read. Verification proper always uses extractRecord.
 */
export function extractRecordFromHead(head: Uint8Array): Uint8Array | null {
  return recordIn(exifTagsIn(head, readLeadingSegments(head).metadata));
}

function recordIn(tags: Record<string, unknown> | null): Uint8Array | null {
  if (tags === null) return null;
  const makerNote = makerNoteBytes(tags);
  if (makerNote === null) return null;
  const signature = makerNote.subarray(0, RECORD_SIGNATURE.length);
  if (!bytesEqual(signature, RECORD_SIGNATURE)) return null;
  const version = makerNote[RECORD_SIGNATURE.length];
  if (version !== RECORD_FORMAT_VERSION) {
    throw new ProvenanceError("record_version_unsupported", `MakerNote format version ${version ?? "missing"}`);
  }
  return makerNote.subarray(RECORD_PREFIX.length);
}

/** exifreader's tags of the first leading Exif segment (the one embedRecord writes), or null without one. */
export function readExifTags(jpeg: Uint8Array): Record<string, unknown> | null {
  return exifTagsIn(jpeg, readJpegLayout(jpeg).metadata);
}

function exifTagsIn(jpeg: Uint8Array, metadata: readonly JpegSegment[]): Record<string, unknown> | null {
  const segment = metadata.find((candidate) => isExifSegment(jpeg, candidate));
  if (segment === undefined) return null;
  const tiff = jpeg.subarray(segment.offset + 4 + EXIF_IDENTIFIER.length, segment.offset + segment.length);
  // exifreader answers a broken TIFF structure with no tags, which would read as
  // "no record"; the same bounds check embedRecord applies says "malformed".
  assertTiffValuesInBounds(tiff);
  // Handing exifreader this one segment's TIFF structure, as a view, means it
  // reads exactly the Exif embedRecord writes (given a whole file with several
  // Exif segments it would pick the one with the most IFD0 entries) and copies nothing.
  try {
    // Filtering with includeTags makes exifreader slower, not faster: read all.
    return ExifReader.loadView(new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength)) as Record<string, unknown>;
  } catch (error) {
    throw new ProvenanceError("image_malformed", `unreadable Exif segment: ${String(error)}`);
  }
}

function makerNoteBytes(tags: Record<string, unknown>): Uint8Array | null {
  const tag = tags.MakerNote;
  const value: unknown = typeof tag === "object" && tag !== null && "value" in tag ? tag.value : undefined;
  // exifreader gives an UNDEFINED-typed value of two or more bytes as a plain
  // array of numbers; a single byte comes back as a bare number and a value
  // pointing outside the segment as the string "<faulty value>". None of those
  // can hold our prefix.
  if (!Array.isArray(value)) return null;
  const bytes = new Uint8Array(value.length);
  for (let index = 0; index < value.length; index++) {
    const byte: unknown = value[index];
    if (!isByte(byte)) return null;
    bytes[index] = byte;
  }
  return bytes;
}

function isByte(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 0xff;
}

function isExifSegment(jpeg: Uint8Array, segment: JpegSegment): boolean {
  const identifierAt = segment.offset + 4;
  return (
    segment.marker === Marker.APP1 &&
    segment.length >= 4 + EXIF_IDENTIFIER.length &&
    bytesEqual(jpeg.subarray(identifierAt, identifierAt + EXIF_IDENTIFIER.length), EXIF_IDENTIFIER)
  );
}

function loadExif(jpeg: Uint8Array, segment: JpegSegment): ExifDict {
  const payload = jpeg.subarray(segment.offset + 4, segment.offset + segment.length);
  assertTiffValuesInBounds(payload.subarray(EXIF_IDENTIFIER.length));
  try {
    return piexif.load(toBinaryString(payload));
  } catch (error) {
    throw new ProvenanceError("image_malformed", `unreadable Exif segment: ${String(error)}`);
  }
}

/** piexifjs re-encodes what it loaded; values it cannot re-encode (a broken thumbnail, say) mean the Exif was bad. */
function dumpExif(exif: ExifDict): Uint8Array {
  try {
    return fromBinaryString(piexif.dump(exif));
  } catch (error) {
    throw new ProvenanceError("image_malformed", `Exif segment cannot be rewritten: ${String(error)}`);
  }
}

function emptyExif(): ExifDict {
  return { "0th": {}, Exif: {}, GPS: {}, Interop: {}, "1st": {}, thumbnail: null };
}

/** JFIF wants APP0 right after SOI, so a new Exif segment goes after any APP0 run. */
function endOfLeadingApp0(layout: JpegLayout): number {
  let end = 2;
  for (const segment of layout.metadata) {
    if (segment.marker !== Marker.APP0) break;
    end = segment.offset + segment.length;
  }
  return end;
}

function toBinaryString(bytes: Uint8Array): string {
  let text = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    text += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return text;
}

function fromBinaryString(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
