import { sha256 as sha256Sync } from "@noble/hashes/sha2.js";
import { plainBytes } from "../bytes.ts";

/**
 * SHA-256 behind one seam. Small inputs (records, payloads, client data, RP IDs)
 * hash synchronously: WebCrypto's asynchronous round trip costs more than the
 * hash itself. Large inputs (image data) go to the runtime's native hash:
 * WebCrypto everywhere, unless an entry point installs something faster (Node's
 * node:crypto hashes about 40% faster than its crypto.subtle.digest).
 */
const SMALL_INPUT_BYTES = 16 * 1024;

export type Sha256 = (data: Uint8Array) => Promise<Uint8Array> | Uint8Array;

let largeInputSha256: Sha256 = async (data) =>
  new Uint8Array(await crypto.subtle.digest("SHA-256", plainBytes(data) as Uint8Array<ArrayBuffer>));

/** For runtime entry points only (edge/node-sha256.ts); the core stays Web-API-only. */
export function useNativeSha256(implementation: Sha256): void {
  largeInputSha256 = implementation;
}

export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return data.length <= SMALL_INPUT_BYTES ? sha256Sync(data) : largeInputSha256(data);
}
