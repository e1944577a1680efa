// Node-only: the owner dashboard's thumbnails, made once when a capture is
// recorded (the verifier keeps records, not photos).

import sharp from "sharp";
import { plainBytes } from "../src/bytes.ts";
import type { Thumbnail } from "../verifier/services.ts";

/** Fits within a 480x480 box: two columns of a phone screen at 2x, or a grid cell on a desktop. */
export const THUMBNAIL_BOX = 480;

export async function thumbnailJpeg(jpeg: Uint8Array): Promise<Thumbnail> {
  // .rotate() applies the Exif orientation, as a viewer would; the metadata is dropped.
  const { data, info } = await sharp(jpeg)
    .rotate()
    .resize(THUMBNAIL_BOX, THUMBNAIL_BOX, { fit: "inside", withoutEnlargement: true })
    .jpeg({ quality: 72, mozjpeg: true })
    .toBuffer({ resolveWithObject: true });
  return { jpeg: plainBytes(data), width: info.width, height: info.height };
}
