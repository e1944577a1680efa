import { bytesEqual, toHex } from "../bytes.ts";
import { sha256 } from "../crypto/sha256.ts";
import { ProvenanceError } from "../errors.ts";
import type { FirmwareManifest } from "./manifest.ts";

/**
 * Steps 12-13 of verify-manifest.ts. The image comes from an untrusted server,
 * so it is read against the signed size: a stream that goes on past it is cut
 * off after size + 1 bytes (TUF's endless-data attack), one that ends early is
 * refused, and only then is the hash compared.
 */
export async function readImage(stream: ReadableStream<Uint8Array>, manifest: FirmwareManifest): Promise<Uint8Array> {
  const image = new Uint8Array(manifest.size);
  let received = 0;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (received + value.length > manifest.size) {
        await reader.cancel().catch(() => {});
        throw new ProvenanceError("firmware_image_size_mismatch", `more than the signed ${manifest.size} bytes`);
      }
      image.set(value, received);
      received += value.length;
    }
  } finally {
    reader.releaseLock();
  }
  if (received !== manifest.size) throw new ProvenanceError("firmware_image_size_mismatch", `${received} of the signed ${manifest.size} bytes`);
  await checkImage(image, manifest);
  return image;
}

/** The same two checks for an image already in hand (a publish, a slot read back from flash). */
export async function checkImage(image: Uint8Array, manifest: Pick<FirmwareManifest, "size" | "imageSha256">): Promise<void> {
  if (image.length !== manifest.size) throw new ProvenanceError("firmware_image_size_mismatch", `${image.length} bytes, signed ${manifest.size}`);
  const digest = await sha256(image);
  if (!bytesEqual(digest, manifest.imageSha256)) throw new ProvenanceError("firmware_image_hash_mismatch", `got ${toHex(digest)}`);
}
