// Test pictures: seeded, camera-like scenes (a lit gradient, some objects,
// sensor noise) rather than pure noise, so perceptual fingerprints behave as
// they would on photos.

import sharp, { type JpegOptions } from "sharp";
import { plainBytes } from "../../src/bytes.ts";
import { seededRandom } from "../../device/sensor.ts";

export interface RawImage {
  readonly pixels: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 3;
}

export function makeScene(seed: number, width = 640, height = 480): RawImage {
  const next = seededRandom(seed);
  const color = () => [next() * 255, next() * 255, next() * 255];
  // Clamped, so that noise saturates at black and white instead of wrapping around.
  const pixels = new Uint8ClampedArray(width * height * 3);

  const [from, to] = [color(), color()];
  const angle = next() * Math.PI * 2;
  const dx = Math.cos(angle) / width;
  const dy = Math.sin(angle) / height;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = Math.min(1, Math.max(0, 0.5 + (x - width / 2) * dx + (y - height / 2) * dy));
      const i = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) pixels[i + c] = from[c]! + (to[c]! - from[c]!) * t;
    }
  }

  const shapes = 5 + Math.floor(next() * 6);
  for (let s = 0; s < shapes; s++) {
    const fill = color();
    const w = (0.1 + next() * 0.4) * width;
    const h = (0.1 + next() * 0.4) * height;
    const left = Math.floor(next() * (width - w));
    const top = Math.floor(next() * (height - h));
    const ellipse = next() < 0.5;
    for (let y = top; y < top + h; y++) {
      for (let x = left; x < left + w; x++) {
        const u = (x - left) / w - 0.5;
        const v = (y - top) / h - 0.5;
        if (ellipse && u * u + v * v > 0.25) continue;
        const i = (y * width + x) * 3;
        for (let c = 0; c < 3; c++) pixels[i + c] = fill[c]!;
      }
    }
  }

  for (let i = 0; i < pixels.length; i++) pixels[i] = pixels[i]! + (next() - 0.5) * 16;
  return { pixels: new Uint8Array(pixels.buffer), width, height, channels: 3 };
}

export async function encodeJpeg(image: RawImage, options: JpegOptions = { quality: 90 }): Promise<Uint8Array> {
  return plainBytes(await sharp(image.pixels, { raw: image }).jpeg(options).toBuffer());
}

export async function decodeJpeg(jpeg: Uint8Array): Promise<RawImage> {
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { pixels: plainBytes(data), width: info.width, height: info.height, channels: 3 };
}
