import assert from "node:assert/strict";
import { describe, it } from "node:test";
import sharp from "sharp";
import { concatBytes, plainBytes } from "../../src/bytes.ts";
import { isProvenanceError } from "../../src/errors.ts";
import { Marker, readJpegLayout } from "../../src/jpeg/segments.ts";
import { insertAt, segment } from "./edit-jpeg.ts";
import { encodeJpeg, makeScene } from "./scenes.ts";

const scene = makeScene(1);
const isMalformed = (error: unknown) => isProvenanceError(error, "image_malformed");

/** A structurally complete JPEG around hand-written scan bytes; the walker never decodes tables. */
function jpegWithScan(scan: Uint8Array): Uint8Array {
  return concatBytes(
    Uint8Array.of(0xff, Marker.SOI),
    segment(Marker.APP0, "JFIF\0\x01\x02\0\0\x01\0\x01\0\0"),
    segment(0xdb, new Uint8Array(65)),
    segment(0xc0, Uint8Array.of(8, 0, 16, 0, 16, 1, 1, 0x11, 0)),
    segment(0xc4, new Uint8Array(17 + 1)),
    segment(0xdd, Uint8Array.of(0, 1)),
    segment(Marker.SOS, Uint8Array.of(1, 1, 0, 0, 63, 0)),
    scan,
    Uint8Array.of(0xff, Marker.EOI),
  );
}

function countMarkers(jpeg: Uint8Array, marker: number): number {
  let count = 0;
  for (let i = 0; i + 1 < jpeg.length; i++) if (jpeg[i] === 0xff && jpeg[i + 1] === marker) count++;
  return count;
}

describe("readJpegLayout", () => {
  it("finds the image data of a baseline JPEG without metadata", async () => {
    const jpeg = await encodeJpeg(scene);
    const layout = readJpegLayout(jpeg);
    assert.deepEqual(layout.metadata, []);
    assert.equal(layout.imageDataStart, 2);
    assert.equal(layout.imageDataEnd, jpeg.length);
    assert.equal(layout.frame.marker, 0xc0);
  });

  it("walks every scan of a progressive JPEG", async () => {
    const jpeg = await encodeJpeg(scene, { quality: 85, progressive: true });
    assert.ok(countMarkers(jpeg, Marker.SOS) > 1, "sharp wrote a single scan");
    const layout = readJpegLayout(jpeg);
    assert.equal(layout.frame.marker, 0xc2);
    assert.equal(layout.imageDataEnd, jpeg.length);
  });

  it("lists the Exif and ICC segments sharp writes with withMetadata()", async () => {
    const jpeg = plainBytes(await sharp(scene.pixels, { raw: scene }).jpeg().withMetadata().toBuffer());
    const layout = readJpegLayout(jpeg);
    assert.deepEqual(
      layout.metadata.map(({ marker }) => marker),
      [Marker.APP1, 0xe2],
    );
    const last = layout.metadata.at(-1)!;
    assert.equal(layout.imageDataStart, last.offset + last.length);
    assert.equal(jpeg[layout.imageDataStart + 1], 0xdb);
  });

  it("lists the Exif segment sharp writes with withExif()", async () => {
    const jpeg = plainBytes(
      await sharp(scene.pixels, { raw: scene }).jpeg().withExif({ IFD0: { Artist: "Ada", Make: "SnapSeal" } }).toBuffer(),
    );
    const [exif, ...rest] = readJpegLayout(jpeg).metadata;
    assert.deepEqual(rest, []);
    assert.equal(exif?.marker, Marker.APP1);
    assert.equal(exif?.offset, 2);
    assert.equal(exif?.length, ((jpeg[4]! << 8) | jpeg[5]!) + 2);
  });

  it("counts COM as metadata and skips fill bytes before markers", async () => {
    const plain = await encodeJpeg(scene);
    const comment = segment(Marker.COM, "hello");
    const jpeg = insertAt(plain, 2, comment, Uint8Array.of(0xff, 0xff, 0xff));
    const layout = readJpegLayout(jpeg);
    assert.deepEqual(layout.metadata, [{ marker: Marker.COM, offset: 2, length: comment.length }]);
    assert.equal(layout.imageDataStart, 2 + comment.length + 3);
    assert.equal(layout.imageDataEnd, jpeg.length);
  });

  it("passes stuffed bytes, restart markers and fill bytes inside scan data", () => {
    const scan = Uint8Array.of(0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0xff, 0xd7, 0xff, 0x00, 0x78, 0xff, 0xff);
    const jpeg = jpegWithScan(scan);
    assert.equal(readJpegLayout(jpeg).imageDataEnd, jpeg.length);
  });

  it("ignores a trailer after EOI (say, a motion-photo video)", async () => {
    const plain = await encodeJpeg(scene);
    const jpeg = concatBytes(plain, new TextEncoder().encode("\0\0\0\x18ftypmp42 trailing video"), Uint8Array.of(0xff, 0xd8, 0xff));
    assert.equal(readJpegLayout(jpeg).imageDataEnd, plain.length);
  });

  it("ends the image data at the last EOI, so a trailer holding an EOI is covered too", async () => {
    const plain = await encodeJpeg(scene);
    const jpeg = concatBytes(plain, Uint8Array.of(0x00, 0xff, 0xd9, 0x01));
    assert.equal(readJpegLayout(jpeg).imageDataEnd, plain.length + 3);
  });

  describe("refuses what is not a whole JPEG", () => {
    it("empty input and a lone 0xFF", () => {
      assert.throws(() => readJpegLayout(new Uint8Array(0)), isMalformed);
      assert.throws(() => readJpegLayout(Uint8Array.of(0xff)), isMalformed);
    });

    it("a PNG", async () => {
      const png = plainBytes(await sharp(scene.pixels, { raw: scene }).png().toBuffer());
      assert.throws(() => readJpegLayout(png), isMalformed);
    });

    it("random bytes, with and without a SOI in front", () => {
      const noise = makeScene(2, 64, 64).pixels;
      assert.throws(() => readJpegLayout(noise), isMalformed);
      assert.throws(() => readJpegLayout(concatBytes(Uint8Array.of(0xff, Marker.SOI), noise)), isMalformed);
    });

    it("every truncation of a JPEG", async () => {
      const jpeg = await encodeJpeg(makeScene(3, 64, 48));
      const { imageDataStart } = readJpegLayout(jpeg);
      for (let length = 0; length < jpeg.length; length += length < imageDataStart + 700 ? 1 : 97) {
        assert.throws(() => readJpegLayout(jpeg.subarray(0, length)), isMalformed, `cut at ${length}`);
      }
    });

    it("a segment length pointing past the end or below its own size", async () => {
      const jpeg = plainBytes(await sharp(scene.pixels, { raw: scene }).jpeg().withExif({ IFD0: { Artist: "Ada" } }).toBuffer());
      for (const length of [0xffff, 0x0001]) {
        const broken = jpeg.slice();
        broken[4] = length >> 8;
        broken[5] = length & 0xff;
        assert.throws(() => readJpegLayout(broken), isMalformed, `length ${length}`);
      }
    });

    it("bytes between segments that are not a marker", async () => {
      const jpeg = insertAt(await encodeJpeg(scene), 2, Uint8Array.of(0x00));
      assert.throws(() => readJpegLayout(jpeg), isMalformed);
    });

    it("an image with no frame or no scan", () => {
      assert.throws(() => readJpegLayout(Uint8Array.of(0xff, 0xd8, 0xff, 0xd9)), isMalformed);
      const scanWithoutFrame = concatBytes(
        Uint8Array.of(0xff, Marker.SOI),
        segment(Marker.SOS, Uint8Array.of(1, 1, 0, 0, 63, 0)),
        Uint8Array.of(0x12, 0xff, Marker.EOI),
      );
      assert.throws(() => readJpegLayout(scanWithoutFrame), isMalformed);
    });
  });
});
