import { plainBytes } from "../bytes.ts";

/** SHA-256 through WebCrypto: native speed in Node, Deno and browsers alike. */
export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", plainBytes(data) as Uint8Array<ArrayBuffer>));
}
