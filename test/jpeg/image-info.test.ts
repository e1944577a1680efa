import assert from "node:assert/strict";
import { describe, it } from "node:test";
import sharp from "sharp";
import { plainBytes } from "../../src/bytes.ts";
import { isProvenanceError } from "../../src/errors.ts";
import { readImageInfo } from "../../src/jpeg/image-info.ts";
import { readJpegLayout } from "../../src/jpeg/segments.ts";
import { encodeJpeg, makeScene } from "./scenes.ts";

const scene = makeScene(4, 320, 200);

describe("readImageInfo", () => {
  it("reads a baseline colour JPEG", async () => {
    assert.deepEqual(readImageInfo(await encodeJpeg(scene)), { width: 320, height: 200, components: 3, progressive: false });
  });

  it("reads a progressive JPEG", async () => {
    const info = readImageInfo(await encodeJpeg(scene, { progressive: true }));
    assert.deepEqual(info, { width: 320, height: 200, components: 3, progressive: true });
  });

  it("reads a grayscale JPEG", async () => {
    const jpeg = plainBytes(await sharp(scene.pixels, { raw: scene }).toColourspace("b-w").jpeg().toBuffer());
    assert.equal(readImageInfo(jpeg).components, 1);
  });

  it("refuses a frame header that declares no pixels", async () => {
    const jpeg = (await encodeJpeg(scene)).slice();
    const { frame } = readJpegLayout(jpeg);
    jpeg[frame.offset + 7] = 0;
    jpeg[frame.offset + 8] = 0;
    assert.throws(() => readImageInfo(jpeg), (error) => isProvenanceError(error, "image_malformed"));
  });
});
