import { FINGERPRINT_SIZE, dhash } from "../../src/jpeg/fingerprint.ts";
import { ProvenanceError } from "../../src/errors.ts";

// The browser's own decoder stands in for sharp (edge/sharp-fingerprint.ts):
// decode, reduce to 9x8 grey by averaging, dHash. The two pipelines differ in
// their filters by a few bits at most, far inside SAME_PICTURE_MAX_DISTANCE.
// Asked only when the content hash already failed, to tell "altered" from
// "record moved to another picture".

/** What the browser downsamples to first: 16x16 pixels per cell, so averaging them to 9x8 is a fair box filter. */
const STAGE = { width: FINGERPRINT_SIZE.width * 16, height: FINGERPRINT_SIZE.height * 16 };

export async function browserFingerprint(jpeg: Uint8Array): Promise<Uint8Array> {
  let bitmap: ImageBitmap;
  try {
    const blob = new Blob([jpeg as Uint8Array<ArrayBuffer>], { type: "image/jpeg" });
    // No orientation is applied, as the camera and the verifier apply none: the fingerprint covers the encoded pixels.
    bitmap = await createImageBitmap(blob, { imageOrientation: "none", resizeWidth: STAGE.width, resizeHeight: STAGE.height, resizeQuality: "high" });
  } catch (error) {
    throw new ProvenanceError("image_malformed", `the browser cannot decode the picture (${error instanceof Error ? error.message : String(error)})`);
  }
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  if (!context) throw new ProvenanceError("image_malformed", "the browser has no 2D canvas");
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = context.getImageData(0, 0, width, height).data;
  const cells = FINGERPRINT_SIZE.width * FINGERPRINT_SIZE.height;
  const sums = new Float64Array(cells);
  const counts = new Uint32Array(cells);
  for (let y = 0; y < height; y++) {
    const row = Math.floor((y * FINGERPRINT_SIZE.height) / height);
    for (let x = 0; x < width; x++) {
      const column = Math.floor((x * FINGERPRINT_SIZE.width) / width);
      const at = (y * width + x) * 4;
      // Rec. 709 luma, as libvips' grayscale uses.
      sums[row * FINGERPRINT_SIZE.width + column]! += 0.2126 * rgba[at]! + 0.7152 * rgba[at + 1]! + 0.0722 * rgba[at + 2]!;
      counts[row * FINGERPRINT_SIZE.width + column]!++;
    }
  }
  const gray = new Uint8Array(cells);
  for (let cell = 0; cell < cells; cell++) gray[cell] = Math.round(sums[cell]! / counts[cell]!);
  return dhash(gray);
}
