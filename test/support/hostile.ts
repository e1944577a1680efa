// Builders of hostile inputs for the verifier: broken JPEGs, broken Exif, and
// capture records that are not strict CBOR of the expected shape. Each returns
// bytes; none of them needs a verifier.

import sharp from "sharp";
import { concatBytes, plainBytes, utf8 } from "../../src/bytes.ts";
import { type CborValue, decodeCanonical, encodeCanonical } from "../../src/cbor/canonical.ts";
import { RECORD_PREFIX, embedRecord } from "../../src/jpeg/exif-record.ts";
import { Marker, readJpegLayout } from "../../src/jpeg/segments.ts";

/** Deterministic pseudo-random bytes (xorshift32), so a failing case can be replayed. */
export function randomBytes(length: number, seed: number): Uint8Array {
  let state = seed >>> 0 || 0x9e3779b9;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[i] = state & 0xff;
  }
  return out;
}

/** A real PNG, which is a picture but not a JPEG. */
export async function pngBytes(): Promise<Uint8Array> {
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 30, b: 90 } } }).png().toBuffer();
  return plainBytes(png);
}

export function truncated(jpeg: Uint8Array, keep: number): Uint8Array {
  return jpeg.slice(0, keep);
}

/** The file with its start-of-scan segment's length field set to 0xFFFF, far past the end of a small file. */
export function scanLengthPastEnd(jpeg: Uint8Array): Uint8Array {
  const sos = findMarker(jpeg, Marker.SOS);
  if (sos + 0xffff + 2 <= jpeg.length) throw new Error("the file is too large for 0xFFFF to point past its end");
  const out = jpeg.slice();
  out[sos + 2] = 0xff;
  out[sos + 3] = 0xff;
  return out;
}

/** The file with its frame header's length field set to 0 (below the minimum of 2). */
export function frameLengthZero(jpeg: Uint8Array): Uint8Array {
  const { frame } = readJpegLayout(jpeg);
  const out = jpeg.slice();
  out[frame.offset + 2] = 0;
  out[frame.offset + 3] = 0;
  return out;
}

/** The file with a second SOI marker right before its image data. */
export function secondSoi(jpeg: Uint8Array): Uint8Array {
  const { imageDataStart } = readJpegLayout(jpeg);
  return concatBytes(jpeg.subarray(0, imageDataStart), Uint8Array.of(0xff, Marker.SOI), jpeg.subarray(imageDataStart));
}

/** SOI, then an APP1 whose length field promises 0x4000 bytes, then the end of the file. */
export function app1LengthPastEnd(): Uint8Array {
  return concatBytes(Uint8Array.of(0xff, Marker.SOI, 0xff, Marker.APP1, 0x40, 0x00), utf8("Exif\0\0MM\0*"));
}

/** Offset of the first 0xFF `marker` that is a marker in the header part of the file (before any scan). */
function findMarker(jpeg: Uint8Array, marker: number): number {
  let position = 2;
  while (position + 4 <= jpeg.length) {
    if (jpeg[position] !== 0xff) throw new Error(`no marker at ${position}`);
    if (jpeg[position + 1] === marker) return position;
    position += 2 + ((jpeg[position + 2]! << 8) | jpeg[position + 3]!);
  }
  throw new Error(`marker 0x${marker.toString(16)} not found`);
}

/** The JPEG with its MakerNote holding RECORD_PREFIX then `record` (anything: it is only bytes here). */
export function withRecord(jpeg: Uint8Array, record: Uint8Array): Uint8Array {
  return embedRecord(jpeg, record);
}

/** The JPEG with the MakerNote's format-version byte (after "SnapSeal") set to `version`. */
export function withMakerNoteVersion(jpeg: Uint8Array, record: Uint8Array, version: number): Uint8Array {
  const out = embedRecord(jpeg, record);
  const at = indexOf(out, RECORD_PREFIX);
  if (at < 0) throw new Error("the record prefix is not in the file");
  out[at + RECORD_PREFIX.length - 1] = version;
  return out;
}

export function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** A JPEG whose first APP1 is "Exif\0\0" followed by `tiff` (replacing any Exif the file had). */
export function withExifSegment(jpeg: Uint8Array, tiff: Uint8Array): Uint8Array {
  const layout = readJpegLayout(jpeg);
  const payload = concatBytes(utf8("Exif\0\0"), tiff);
  const length = payload.length + 2;
  const app1 = concatBytes(Uint8Array.of(0xff, Marker.APP1, length >> 8, length & 0xff), payload);
  const kept = layout.metadata.filter((segment) => segment.marker !== Marker.APP1);
  return concatBytes(
    jpeg.subarray(0, 2),
    app1,
    ...kept.map((segment) => jpeg.subarray(segment.offset, segment.offset + segment.length)),
    jpeg.subarray(layout.imageDataStart),
  );
}

interface IfdEntry {
  tag: number;
  type: number;
  count: number;
  /** The 4-byte value/offset field, big-endian. */
  value: number;
}

/** A big-endian TIFF header and IFDs laid out by hand, so offsets and counts can lie. */
export function tiff(ifds: { at: number; entries: IfdEntry[]; next: number }[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(utf8("MM"), 0);
  view.setUint16(2, 42);
  view.setUint32(4, ifds[0]?.at ?? 8);
  for (const ifd of ifds) {
    view.setUint16(ifd.at, ifd.entries.length);
    ifd.entries.forEach((entry, index) => {
      const at = ifd.at + 2 + index * 12;
      view.setUint16(at, entry.tag);
      view.setUint16(at + 2, entry.type);
      view.setUint32(at + 4, entry.count);
      view.setUint32(at + 8, entry.value);
    });
    view.setUint32(ifd.at + 2 + ifd.entries.length * 12, ifd.next);
  }
  return out;
}

export const EXIF_IFD_POINTER = 0x8769;
export const MAKER_NOTE = 0x927c;
export const TIFF_LONG = 4;
export const TIFF_UNDEFINED = 7;

// ---- capture records ----

/** The record as a map, to be changed and re-encoded canonically. */
export function recordMap(encodedRecord: Uint8Array): Map<string, CborValue> {
  return decodeCanonical(encodedRecord, 1 << 20) as Map<string, CborValue>;
}

/** The record with its payload bytes replaced by `payload` (anything), re-encoded canonically. */
export function withPayload(encodedRecord: Uint8Array, payload: Uint8Array): Uint8Array {
  const map = recordMap(encodedRecord);
  map.set("payload", payload);
  return encodeCanonical(map);
}

export function payloadMap(encodedRecord: Uint8Array): Map<string, CborValue> {
  return decodeCanonical(recordMap(encodedRecord).get("payload") as Uint8Array, 1 << 20) as Map<string, CborValue>;
}

/**
 * Replaces the value of text key `key` (an unsigned integer) in canonical CBOR
 * `encoded` with the raw CBOR item `replacement`, leaving every other byte alone.
 */
export function replaceUintValue(encoded: Uint8Array, key: string, replacement: Uint8Array): Uint8Array {
  const keyBytes = utf8(key);
  if (keyBytes.length > 23) throw new Error("long keys are not supported");
  const at = indexOf(encoded, concatBytes(Uint8Array.of(0x60 + keyBytes.length), keyBytes));
  if (at < 0) throw new Error(`key ${key} not found`);
  const valueAt = at + 1 + keyBytes.length;
  const head = encoded[valueAt]!;
  if (head >> 5 !== 0) throw new Error(`${key} is not an unsigned integer`);
  const info = head & 0x1f;
  const valueLength = info < 24 ? 1 : info === 24 ? 2 : info === 25 ? 3 : info === 26 ? 5 : 9;
  return concatBytes(encoded.subarray(0, valueAt), replacement, encoded.subarray(valueAt + valueLength));
}

/** CBOR float64 (major type 7, additional info 27) of `value`. */
export function cborFloat64(value: number): Uint8Array {
  const out = new Uint8Array(9);
  out[0] = 0xfb;
  new DataView(out.buffer).setFloat64(1, value);
  return out;
}

/** `depth` nested one-element arrays around 0: 0x81 0x81 ... 0x00. */
export function nestedArrays(depth: number): Uint8Array {
  const out = new Uint8Array(depth + 1).fill(0x81);
  out[depth] = 0x00;
  return out;
}

/** `depth` nested one-entry maps {"a": {"a": ... 0}}. */
export function nestedMaps(depth: number): Uint8Array {
  const out = new Uint8Array(depth * 3 + 1);
  for (let i = 0; i < depth; i++) out.set([0xa1, 0x61, 0x61], i * 3);
  return out;
}
