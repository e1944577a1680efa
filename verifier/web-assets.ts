import { toBase64Url } from "../src/bytes.ts";
import { sha256 } from "../src/crypto/sha256.ts";

/** A page or asset the verifier serves, keyed by path (`/assets/…`) or page name (`page:check`). */
export interface WebAsset {
  body: Uint8Array;
  type: string;
  etag: string;
}

export type WebAssets = Map<string, WebAsset>;

export async function webAsset(body: Uint8Array, type: string): Promise<WebAsset> {
  return { body, type, etag: `"${toBase64Url((await sha256(body)).subarray(0, 12))}"` };
}
