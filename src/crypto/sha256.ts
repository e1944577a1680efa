import { sha256 as sha256Sync } from "@noble/hashes/sha2.js";
import { plainBytes } from "../bytes.ts";

/**
 * SHA-256 behind one seam. By default small inputs (records, payloads, client
 * data, RP IDs) hash synchronously, since WebCrypto's asynchronous round trip
 * costs more than hashing them, and large inputs (image data) go to WebCrypto.
 * A runtime with a faster native hash installs it at its entry point (Node's
 * node:crypto beats both, at every size).
 */
const SMALL_INPUT_BYTES = 16 * 1024;

export type Sha256 = (data: Uint8Array) => Promise<Uint8Array> | Uint8Array;

const portableSha256: Sha256 = async (data) =>
  data.length <= SMALL_INPUT_BYTES ? sha256Sync(data) : new Uint8Array(await crypto.subtle.digest("SHA-256", plainBytes(data) as Uint8Array<ArrayBuffer>));

let implementation: Sha256 = portableSha256;

/** For runtime entry points only (edge/node-sha256.ts); the core stays Web-API-only. */
export function useNativeSha256(native: Sha256): void {
  implementation = native;
}

export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return implementation(data);
}
