/**
 * What the page will read of a file the visitor picked: a bounded JPEG, or a
 * plain-words reason why not, decided from its size before it is read, and
 * from its first bytes, so a huge or foreign file never stalls the page. The
 * whole file is read alongside its first bytes, which start the verifier lookup.
 */
export type PickedPhoto = { ok: true; head: Uint8Array; jpeg: Promise<Uint8Array> } | { ok: false; problem: string };

/** Enough for every leading segment a camera writes (an Exif segment is at most 64 KiB). */
const HEAD_BYTES = 256 * 1024;

/** Far above any camera's photo (a 12-megapixel JPEG is 3 to 10 MB), and small enough to read safely in a browser tab. */
export const MAX_PHOTO_BYTES = 64 * 1024 * 1024;

const KNOWN_FORMATS: [name: string, magic: number[]][] = [
  ["a PNG image", [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ["a GIF image", [0x47, 0x49, 0x46, 0x38]],
  ["a WebP image", [0x52, 0x49, 0x46, 0x46]],
  ["a TIFF or raw image", [0x49, 0x49, 0x2a, 0x00]],
  ["a TIFF or raw image", [0x4d, 0x4d, 0x00, 0x2a]],
  ["a PDF document", [0x25, 0x50, 0x44, 0x46]],
  ["a ZIP archive", [0x50, 0x4b, 0x03, 0x04]],
];

export async function readPickedPhoto(file: Blob): Promise<PickedPhoto> {
  if (file.size === 0) return { ok: false, problem: "This file is empty (0 bytes): there is no photo in it to check." };
  if (file.size > MAX_PHOTO_BYTES) {
    return {
      ok: false,
      problem: `This file is ${megabytes(file.size)}; the check reads photos up to ${megabytes(MAX_PHOTO_BYTES)}. A camera's photo is far smaller: is this the original file?`,
    };
  }
  // Both reads start now, the head's first: it comes back first, and a foreign file's is all the page needs.
  const head = file.slice(0, HEAD_BYTES).arrayBuffer();
  const whole = file.arrayBuffer().then((buffer) => new Uint8Array(buffer));
  const bytes = new Uint8Array(await head);
  if (!(bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)) {
    const known = KNOWN_FORMATS.find(([, magic]) => magic.every((byte, index) => bytes[index] === byte));
    const heic = bytes[4] === 0x66 && bytes[5] === 0x74 && bytes[6] === 0x79 && bytes[7] === 0x70;
    const what = known?.[0] ?? (heic ? "a HEIC/HEIF image" : "not an image this page can read");
    whole.catch(() => {});
    return {
      ok: false,
      problem: `This file is ${what}. SnapSeal cameras seal JPEG photos, and the capture record lives inside the JPEG: a converted copy carries none. Pick the original JPEG.`,
    };
  }
  return { ok: true, head: bytes, jpeg: whole };
}

function megabytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 1 : 0)} MB`;
}
