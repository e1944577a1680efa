import { contentTag } from "./conditional-get.ts";

/** A page or asset the verifier serves, keyed by path (`/assets/…`) or page name (`page:check`). */
export interface WebAsset {
  body: Uint8Array;
  /** The same bytes gzipped once, when that is smaller: the check page's script shrinks to a third. */
  gzip: Uint8Array | null;
  type: string;
  /** Its content tag (conditional-get.ts), the ETag of its plain encoding. */
  tag: string;
}

export type WebAssets = Map<string, WebAsset>;

export async function webAsset(body: Uint8Array, type: string): Promise<WebAsset> {
  const gzip = new Uint8Array(await new Response(new Blob([body as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
  return { body, gzip: gzip.length < body.length ? gzip : null, type, tag: await contentTag(body) };
}

/**
 * Where `npm run build:web` writes an asset (web/build.ts) and a runtime that
 * cannot bundle reads it back (verifier/deno.ts): pages/<name>.html, assets/<name>.
 */
export function fileOfKey(key: string): string {
  return key.startsWith("page:") ? `pages/${key.slice("page:".length)}.html` : key.slice(1);
}

export function keyOfFile(file: string): string | null {
  const page = /^pages\/([a-z-]+)\.html$/.exec(file);
  if (page) return `page:${page[1]}`;
  return /^assets\/[A-Za-z0-9._-]+$/.test(file) ? `/${file}` : null;
}

const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[file.slice(file.lastIndexOf(".") + 1)] ?? "application/octet-stream";
}
