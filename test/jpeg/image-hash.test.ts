import assert from "node:assert/strict";
import { describe, it } from "node:test";
import piexif from "piexifjs";
import sharp from "sharp";
import { concatBytes, plainBytes } from "../../src/bytes.ts";
import { sha256 } from "../../src/crypto/sha256.ts";
import { embedRecord, extractRecord } from "../../src/jpeg/exif-record.ts";
import { imageDataHash } from "../../src/jpeg/image-hash.ts";
import { Marker, readJpegLayout } from "../../src/jpeg/segments.ts";
import { insertAt, segment, stripMetadata } from "./edit-jpeg.ts";
import { decodeJpeg, encodeJpeg, makeScene } from "./scenes.ts";

const scene = makeScene(5);

describe("imageDataHash", () => {
  it("is the SHA-256 of the bytes from the first non-metadata marker through EOI", async () => {
    const jpeg = plainBytes(await sharp(scene.pixels, { raw: scene }).jpeg().withMetadata().toBuffer());
    const { imageDataStart } = readJpegLayout(jpeg);
    assert.deepEqual(await imageDataHash(jpeg), await sha256(jpeg.subarray(imageDataStart)));
  });

  it("does not change when metadata is added, rewritten or removed", async () => {
    const plain = await encodeJpeg(scene);
    const withExif = plainBytes(
      await sharp(scene.pixels, { raw: scene }).jpeg({ quality: 90 }).withExif({ IFD0: { Artist: "Ada" } }).toBuffer(),
    );
    const rewritten = (() => {
      const exif = piexif.load(Buffer.from(withExif).toString("latin1"));
      exif["0th"][0x013b] = "Grace Hopper";
      const payload = Buffer.from(piexif.dump(exif), "latin1");
      return insertAt(stripMetadata(withExif), 2, segment(Marker.APP1, payload));
    })();
    const variants = {
      withExif,
      rewritten,
      withComment: insertAt(plain, 2, segment(Marker.COM, "a comment")),
      withAppSegments: insertAt(withExif, 2, segment(Marker.APP0, "JFIF\0\x01\x02\0\0\x01\0\x01\0\0"), segment(0xeb, "vendor")),
      sealed: embedRecord(withExif, new Uint8Array(700).fill(7)),
      stripped: stripMetadata(withExif),
      withFillBytes: insertAt(plain, 2, Uint8Array.of(0xff, 0xff)),
      withTrailingData: concatBytes(plain, new Uint8Array(1000).fill(0xab)),
    };
    const expected = await imageDataHash(plain);
    for (const [name, jpeg] of Object.entries(variants)) {
      assert.deepEqual(await imageDataHash(jpeg), expected, name);
    }
  });

  it("changes when one pixel changes", async () => {
    const decoded = await decodeJpeg(await encodeJpeg(scene));
    const edited = decoded.pixels.slice();
    const at = (240 * scene.width + 320) * 3;
    for (let c = 0; c < 3; c++) edited[at + c] = 255 - edited[at + c]!;
    const before = await encodeJpeg(decoded);
    const after = await encodeJpeg({ ...decoded, pixels: edited });
    assert.notDeepEqual(await imageDataHash(after), await imageDataHash(before));
  });

  it("changes when one byte of scan data or of a table changes", async () => {
    const jpeg = await encodeJpeg(scene);
    const expected = await imageDataHash(jpeg);
    const { frame } = readJpegLayout(jpeg);
    const scanByte = jpeg.indexOf(0x55, Math.floor(jpeg.length / 2));
    assert.ok(scanByte > 0);
    const tableByte = frame.offset - 10;
    for (const at of [scanByte, tableByte]) {
      const edited = jpeg.slice();
      edited[at] ^= 0x01;
      assert.notDeepEqual(await imageDataHash(edited), expected, `byte ${at}`);
    }
  });

  it("handles a 4000x3000 photo", async (t) => {
    const big = makeScene(6, 4000, 3000);
    const jpeg = plainBytes(await sharp(big.pixels, { raw: big }).jpeg({ quality: 95 }).withExif({ IFD0: { Make: "SnapSeal" } }).toBuffer());
    const record = new Uint8Array(16_000).fill(0x5a);
    const started = performance.now();
    const hash = await imageDataHash(jpeg);
    const hashed = performance.now();
    const sealed = embedRecord(jpeg, record);
    const sealedAt = performance.now();
    const extracted = extractRecord(sealed);
    const extractedAt = performance.now();
    t.diagnostic(
      `${(jpeg.length / 1e6).toFixed(1)} MB: hash ${(hashed - started).toFixed(1)} ms, ` +
        `embed ${(sealedAt - hashed).toFixed(1)} ms, extract ${(extractedAt - sealedAt).toFixed(1)} ms`,
    );
    assert.deepEqual(extracted, record);
    assert.deepEqual(await imageDataHash(sealed), hash);
  });
});
