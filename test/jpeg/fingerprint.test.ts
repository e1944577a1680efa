import assert from "node:assert/strict";
import { describe, it } from "node:test";
import sharp from "sharp";
import { fingerprintJpeg, fingerprintRaw } from "../../edge/sharp-fingerprint.ts";
import { plainBytes } from "../../src/bytes.ts";
import { isProvenanceError } from "../../src/errors.ts";
import { FINGERPRINT_SIZE, SAME_PICTURE_MAX_DISTANCE, dhash, hammingDistance } from "../../src/jpeg/fingerprint.ts";
import { type RawImage, decodeJpeg, encodeJpeg, makeScene } from "./scenes.ts";

const { width, height } = FINGERPRINT_SIZE;

function grayOf(pixel: (x: number, y: number) => number): Uint8Array {
  return Uint8Array.from({ length: width * height }, (_, i) => pixel(i % width, Math.floor(i / width)));
}

function paint(image: RawImage, left: number, top: number, size: number, rgb: readonly number[]): RawImage {
  const pixels = image.pixels.slice();
  for (let y = top; y < top + size; y++) {
    for (let x = left; x < left + size; x++) pixels.set(rgb, (y * image.width + x) * 3);
  }
  return { ...image, pixels };
}

describe("dhash", () => {
  it("sets a bit where the right-hand neighbour is brighter, most significant bit first", () => {
    assert.deepEqual(dhash(grayOf((x) => x * 10)), new Uint8Array(8).fill(0xff));
    assert.deepEqual(dhash(grayOf((x) => 200 - x * 10)), new Uint8Array(8));
    assert.deepEqual(dhash(grayOf(() => 50)), new Uint8Array(8));
    const firstAndLast = grayOf((x, y) => ((x === 1 && y === 0) || (x === 8 && y === 7) ? 60 : 50));
    assert.deepEqual(dhash(firstAndLast), Uint8Array.of(0x80, 0, 0, 0, 0, 0, 0, 0x01));
  });

  it("needs exactly 9x8 grayscale bytes", () => {
    assert.throws(() => dhash(new Uint8Array(64)), RangeError);
    assert.throws(() => dhash(new Uint8Array(216)), RangeError);
  });
});

describe("hammingDistance", () => {
  it("counts differing bits", () => {
    assert.equal(hammingDistance(new Uint8Array(8), new Uint8Array(8)), 0);
    assert.equal(hammingDistance(new Uint8Array(8), new Uint8Array(8).fill(0xff)), 64);
    assert.equal(hammingDistance(Uint8Array.of(0b1010_0000, 1), Uint8Array.of(0b0010_0001, 1)), 2);
    assert.throws(() => hammingDistance(new Uint8Array(8), new Uint8Array(7)), RangeError);
  });
});

describe("fingerprints of photos", () => {
  const seeds = [11, 12, 13, 14, 15, 16];

  it(`stay within ${SAME_PICTURE_MAX_DISTANCE} bits for the same picture`, async (t) => {
    for (const seed of seeds) {
      const sensor = makeScene(seed);
      const jpeg = await encodeJpeg(sensor);
      const reference = await fingerprintRaw(sensor.pixels, sensor);
      const decoded = await decodeJpeg(jpeg);
      const i = (240 * sensor.width + 320) * 3;
      const onePixel = paint(decoded, 320, 240, 1, [255 - decoded.pixels[i]!, 255 - decoded.pixels[i + 1]!, 255 - decoded.pixels[i + 2]!]);
      const variants = {
        jpeg,
        onePixelChanged: await encodeJpeg(onePixel),
        patchPainted: await encodeJpeg(paint(decoded, 200, 160, 40, [250, 20, 20])),
        quality60: plainBytes(await sharp(jpeg).jpeg({ quality: 60 }).toBuffer()),
        progressive: plainBytes(await sharp(jpeg).jpeg({ quality: 75, progressive: true }).toBuffer()),
      };
      const distances: string[] = [];
      for (const [name, variant] of Object.entries(variants)) {
        const distance = hammingDistance(reference, await fingerprintJpeg(variant));
        distances.push(`${name} ${distance}`);
        assert.ok(distance <= SAME_PICTURE_MAX_DISTANCE, `seed ${seed}, ${name}: ${distance} bits`);
      }
      t.diagnostic(`seed ${seed}: ${distances.join(", ")}`);
    }
  });

  it(`differ by more than ${SAME_PICTURE_MAX_DISTANCE} bits between different scenes`, async (t) => {
    const fingerprints = await Promise.all(seeds.map(async (seed) => fingerprintJpeg(await encodeJpeg(makeScene(seed)))));
    let closest = 64;
    for (let a = 0; a < seeds.length; a++) {
      for (let b = a + 1; b < seeds.length; b++) {
        const distance = hammingDistance(fingerprints[a]!, fingerprints[b]!);
        closest = Math.min(closest, distance);
        assert.ok(distance > SAME_PICTURE_MAX_DISTANCE, `seeds ${seeds[a]} and ${seeds[b]}: ${distance} bits`);
      }
    }
    t.diagnostic(`closest pair: ${closest} bits`);
  });

  it("agree between a 4000x3000 sensor frame and its JPEG", async () => {
    const sensor = makeScene(17, 4000, 3000);
    const distance = hammingDistance(await fingerprintRaw(sensor.pixels, sensor), await fingerprintJpeg(await encodeJpeg(sensor)));
    assert.ok(distance <= SAME_PICTURE_MAX_DISTANCE, `${distance} bits`);
  });

  it("refuse what sharp cannot decode", async () => {
    const isMalformed = (error: unknown) => isProvenanceError(error, "image_malformed");
    const jpeg = await encodeJpeg(makeScene(18, 64, 48));
    await assert.rejects(fingerprintJpeg(new Uint8Array(0)), isMalformed);
    await assert.rejects(fingerprintJpeg(jpeg.subarray(0, 300)), isMalformed);
    await assert.rejects(fingerprintRaw(new Uint8Array(10), { width: 64, height: 48, channels: 3 }), isMalformed);
  });
});
