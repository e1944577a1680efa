import type { Context } from "hono";
import { toBase64Url } from "../src/bytes.ts";
import { sha256 } from "../src/crypto/sha256.ts";

/** A strong validator for bytes that never change under it: their hash, shortened. */
export async function contentTag(bytes: Uint8Array): Promise<string> {
  return toBase64Url((await sha256(bytes)).subarray(0, 12));
}

/**
 * Answers a GET of fixed bytes: 304 when the client already holds this
 * representation (its ETag), the bytes otherwise.
 */
export function conditionalBody(
  c: Context,
  representation: { tag: string; cacheControl: string; type: string; body: Uint8Array; encoding?: string },
): Response {
  const etag = `"${representation.tag}"`;
  c.header("Cache-Control", representation.cacheControl);
  c.header("ETag", etag);
  if (c.req.header("If-None-Match") === etag) return c.body(null, 304);
  c.header("Content-Type", representation.type);
  if (representation.encoding) c.header("Content-Encoding", representation.encoding);
  return c.body(representation.body as Uint8Array<ArrayBuffer>);
}
