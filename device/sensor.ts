import sharp from "sharp";
import { fingerprintRaw } from "../edge/sharp-fingerprint.ts";

export interface Frame {
  jpeg: Uint8Array;
  fingerprint: Uint8Array;
  width: number;
  height: number;
}

/**
 * The camera's image sensor, simulated: a scene of gradients, shapes and noise
 * unique to `seed`, read out as raw pixels and encoded to JPEG. The fingerprint
 * comes from the raw pixels, as it would on a real camera.
 */
export async function readSensor(options: { width: number; height: number; seed: number; quality?: number; exif?: Record<string, string> }): Promise<Frame> {
  const { width, height, seed } = options;
  const random = seededRandom(seed);
  const hue = () => Math.floor(random() * 255);
  const shapes = Array.from({ length: 12 }, () => {
    const x = Math.floor(random() * width);
    const y = Math.floor(random() * height);
    const r = Math.floor((0.05 + random() * 0.2) * Math.min(width, height));
    return `<circle cx="${x}" cy="${y}" r="${r}" fill="rgb(${hue()},${hue()},${hue()})" fill-opacity="0.7"/>`;
  }).join("");
  const scene = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="rgb(${hue()},${hue()},${hue()})"/><stop offset="1" stop-color="rgb(${hue()},${hue()},${hue()})"/>
    </linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>${shapes}</svg>`;
  const noise = await sharp({ create: { width, height, channels: 3, background: "#000", noise: { type: "gaussian", mean: 0, sigma: 6 } } })
    .raw()
    .toBuffer();
  const { data, info } = await sharp(Buffer.from(scene))
    .removeAlpha()
    .composite([{ input: noise, raw: { width, height, channels: 3 }, blend: "add" }])
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { width: info.width, height: info.height, channels: info.channels as 3 };
  let encoder = sharp(data, { raw }).jpeg({ quality: options.quality ?? 90 });
  if (options.exif) encoder = encoder.withExif({ IFD0: options.exif });
  const jpeg = new Uint8Array(await encoder.toBuffer());
  return { jpeg, fingerprint: await fingerprintRaw(data, raw), width, height };
}

/** mulberry32: a small seeded PRNG, so a scene is reproducible from its seed (never for keys or nonces). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
