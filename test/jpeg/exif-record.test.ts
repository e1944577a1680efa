import assert from "node:assert/strict";
import { describe, it } from "node:test";
import ExifReader from "exifreader";
import piexif from "piexifjs";
import sharp from "sharp";
import { concatBytes, plainBytes, utf8 } from "../../src/bytes.ts";
import { isProvenanceError } from "../../src/errors.ts";
import { RECORD_PREFIX, embedRecord, extractRecord, extractRecordFromHead } from "../../src/jpeg/exif-record.ts";
import { imageDataHash } from "../../src/jpeg/image-hash.ts";
import { Marker, readJpegLayout } from "../../src/jpeg/segments.ts";
import { insertAt, segment, stripMetadata } from "./edit-jpeg.ts";
import { encodeJpeg, makeScene } from "./scenes.ts";

const scene = makeScene(7);
const isMalformed = (error: unknown) => isProvenanceError(error, "image_malformed");

/** Every byte value, including the 0x00 and 0xFF that string-based Exif code tends to mangle. */
function recordOf(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 131 + (i >> 8)) & 0xff);
}

async function jpegWithExif(): Promise<Uint8Array> {
  const ifd0 = { Artist: "Ada Lovelace", Make: "SnapSeal", Model: "S1", Copyright: "CC-BY" };
  return plainBytes(await sharp(scene.pixels, { raw: scene }).jpeg().withExif({ IFD0: ifd0 }).toBuffer());
}

/** An Exif segment whose MakerNote is `makerNote`, written by piexifjs. */
function exifSegmentWithMakerNote(makerNote: Uint8Array): Uint8Array {
  const exif = { "0th": {}, Exif: { 0x927c: Buffer.from(makerNote).toString("latin1") }, GPS: {}, Interop: {}, "1st": {}, thumbnail: null };
  return segment(Marker.APP1, Buffer.from(piexif.dump(exif), "latin1"));
}

function exifSegmentCount(jpeg: Uint8Array): number {
  const exifIdentifier = utf8("Exif\0\0");
  return readJpegLayout(jpeg).metadata.filter(
    ({ marker, offset }) => marker === Marker.APP1 && Buffer.from(jpeg.subarray(offset + 4, offset + 10)).equals(exifIdentifier),
  ).length;
}

describe("RECORD_PREFIX", () => {
  it('is "SnapSeal" and format version 1', () => {
    assert.deepEqual(RECORD_PREFIX, concatBytes(utf8("SnapSeal"), Uint8Array.of(1)));
  });
});

describe("embedRecord and extractRecord", () => {
  for (const length of [1, 700, 10_000, 16_384]) {
    it(`round-trips a ${length}-byte record exactly`, async () => {
      const record = recordOf(length);
      assert.deepEqual(extractRecord(embedRecord(await encodeJpeg(scene), record)), record);
    });
  }

  it("puts a new Exif segment right after SOI, or after the JFIF APP0", async () => {
    const plain = await encodeJpeg(scene);
    assert.deepEqual(readJpegLayout(embedRecord(plain, recordOf(10))).metadata.map((s) => [s.marker, s.offset]), [[Marker.APP1, 2]]);

    const jfif = segment(Marker.APP0, "JFIF\0\x01\x02\0\0\x01\0\x01\0\0");
    const sealed = embedRecord(insertAt(plain, 2, jfif), recordOf(10));
    assert.deepEqual(
      readJpegLayout(sealed).metadata.map((s) => [s.marker, s.offset]),
      [
        [Marker.APP0, 2],
        [Marker.APP1, 2 + jfif.length],
      ],
    );
  });

  it("keeps existing Exif tags, other metadata and the image data", async () => {
    const original = await jpegWithExif();
    const withIcc = plainBytes(await sharp(scene.pixels, { raw: scene }).jpeg().withMetadata().toBuffer());
    const icc = readJpegLayout(withIcc).metadata.find((s) => s.marker === 0xe2)!;
    const jpeg = insertAt(original, readJpegLayout(original).imageDataStart, withIcc.subarray(icc.offset, icc.offset + icc.length));

    const sealed = embedRecord(jpeg, recordOf(700));
    const tags = ExifReader.load(Buffer.from(sealed));
    assert.equal(tags.Artist?.description, "Ada Lovelace");
    assert.equal(tags.Make?.description, "SnapSeal");
    assert.equal(tags.Model?.description, "S1");
    assert.equal(tags.Copyright?.description, "CC-BY");
    const iccAfter = readJpegLayout(sealed).metadata.find((s) => s.marker === 0xe2)!;
    assert.deepEqual(sealed.subarray(iccAfter.offset, iccAfter.offset + iccAfter.length), withIcc.subarray(icc.offset, icc.offset + icc.length));
    assert.deepEqual(await imageDataHash(sealed), await imageDataHash(jpeg));
    assert.deepEqual(sealed.subarray(readJpegLayout(sealed).imageDataStart), jpeg.subarray(readJpegLayout(jpeg).imageDataStart));
  });

  it("replaces the record when sealing again, keeping a single Exif segment", async () => {
    const once = embedRecord(await jpegWithExif(), recordOf(700));
    const twice = embedRecord(once, recordOf(30));
    assert.deepEqual(extractRecord(twice), recordOf(30));
    assert.equal(exifSegmentCount(twice), 1);
    assert.equal(ExifReader.load(Buffer.from(twice)).Artist?.description, "Ada Lovelace");
  });

  it("replaces another maker's MakerNote and merges duplicate Exif segments", async () => {
    const plain = await encodeJpeg(scene);
    const jpeg = insertAt(plain, 2, exifSegmentWithMakerNote(utf8("Nikon\0\x02\x10")), exifSegmentWithMakerNote(utf8("other")));
    const sealed = embedRecord(jpeg, recordOf(64));
    assert.equal(exifSegmentCount(sealed), 1);
    assert.deepEqual(extractRecord(sealed), recordOf(64));
  });

  it("finds the record behind a COM segment", async () => {
    const sealed = embedRecord(await encodeJpeg(scene), recordOf(100));
    const jpeg = insertAt(sealed, 2, segment(Marker.COM, "made with care"));
    assert.deepEqual(extractRecord(jpeg), recordOf(100));
  });

  it("reads the first Exif segment even when a later one has more tags", async () => {
    const sealed = embedRecord(await encodeJpeg(scene), recordOf(100));
    const rich = await jpegWithExif();
    const [richExif] = readJpegLayout(rich).metadata;
    const jpeg = insertAt(sealed, readJpegLayout(sealed).imageDataStart, rich.subarray(richExif!.offset, richExif!.offset + richExif!.length));
    assert.deepEqual(extractRecord(jpeg), recordOf(100));
  });

  it("refuses a record that would not fit in one Exif segment", async () => {
    const jpeg = await encodeJpeg(scene);
    assert.throws(
      () => embedRecord(jpeg, recordOf(65_530)),
      (error) => isProvenanceError(error, "record_too_large"),
    );
  });

  describe("extractRecord returns null", () => {
    it("without any metadata", async () => {
      const sealed = embedRecord(await jpegWithExif(), recordOf(700));
      assert.equal(extractRecord(stripMetadata(sealed)), null);
      assert.equal(extractRecord(await encodeJpeg(scene)), null);
    });

    it("for Exif without a MakerNote", async () => {
      assert.equal(extractRecord(await jpegWithExif()), null);
    });

    it("for a MakerNote that is not ours", async () => {
      const plain = await encodeJpeg(scene);
      for (const makerNote of [utf8("Nikon\0\x02\x10\0\0"), utf8("SnapSea"), Uint8Array.of(0x53, 0x6e), Uint8Array.of(0x53)]) {
        assert.equal(extractRecord(insertAt(plain, 2, exifSegmentWithMakerNote(makerNote))), null);
      }
    });
  });

  it("refuses a SnapSeal MakerNote of an unknown format version", async () => {
    const makerNote = concatBytes(utf8("SnapSeal"), Uint8Array.of(2), recordOf(20));
    const jpeg = insertAt(await encodeJpeg(scene), 2, exifSegmentWithMakerNote(makerNote));
    assert.throws(() => extractRecord(jpeg), (error) => isProvenanceError(error, "record_version_unsupported"));
  });

  it("refuses an Exif tag whose count exceeds its segment, which piexifjs would try to allocate", async () => {
    const tiff = Uint8Array.of(
      ...[0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08],
      ...[0x00, 0x01, 0x01, 0x0e, 0x00, 0x01, 0xff, 0xff, 0xff, 0xf0, 0x00, 0x00, 0x00, 0x1a],
      ...[0x00, 0x00, 0x00, 0x00],
      ...utf8("hello\0"),
    );
    const jpeg = insertAt(await encodeJpeg(scene), 2, segment(Marker.APP1, concatBytes(utf8("Exif\0\0"), tiff)));
    assert.throws(() => embedRecord(jpeg, recordOf(10)), isMalformed);
  });

  it("refuses what is not a JPEG", async () => {
    const png = plainBytes(await sharp(scene.pixels, { raw: scene }).png().toBuffer());
    const sealed = embedRecord(await encodeJpeg(scene), recordOf(10));
    for (const input of [new Uint8Array(0), png, makeScene(8, 32, 32).pixels, sealed.subarray(0, sealed.length >> 1)]) {
      assert.throws(() => embedRecord(input, recordOf(10)), isMalformed);
      assert.throws(() => extractRecord(input), isMalformed);
    }
  });
});

describe("extractRecordFromHead", () => {
  it("finds in a sealed file's first bytes the record extractRecord finds in the whole file", async () => {
    const record = recordOf(700);
    const sealed = embedRecord(await jpegWithExif(), record);
    const { imageDataStart } = readJpegLayout(sealed);
    // The leading segments and one byte of the image data: nothing else is needed.
    assert.deepEqual(extractRecordFromHead(sealed.subarray(0, imageDataStart + 2)), extractRecord(sealed));
    assert.deepEqual(extractRecordFromHead(sealed.subarray(0, imageDataStart + 2)), record);
  });

  it("says image_malformed when the head ends inside a leading segment, and null for a file without a record", async () => {
    const sealed = embedRecord(await jpegWithExif(), recordOf(700));
    const exif = readJpegLayout(sealed).metadata[0]!;
    assert.throws(() => extractRecordFromHead(sealed.subarray(0, exif.offset + exif.length - 1)), isMalformed);
    const plain = await encodeJpeg(scene);
    assert.equal(extractRecordFromHead(plain.subarray(0, 4096)), null);
  });
});
