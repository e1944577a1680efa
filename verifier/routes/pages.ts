import { type Context, Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { CAPTURE_ID_PATTERN } from "../../src/record/capture-record.ts";
import type { AppEnv } from "../services.ts";
import { conditionalBody } from "../conditional-get.ts";
import type { WebAsset } from "../web-assets.ts";
import { fail } from "../validate.ts";

/**
 * The web pages (web/): the public check page, a capture's permalink and the
 * owner dashboard. Each page is a static shell whose script does the work, so
 * the policy can forbid every inline script and style and every other origin.
 */
export const pages = new Hono<AppEnv>()
  .use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // The visitor's own photo is shown from a blob: URL; the TOTP QR code is an SVG data: URL.
        imgSrc: ["'self'", "blob:", "data:"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      referrerPolicy: "no-referrer",
      crossOriginEmbedderPolicy: false,
    }),
  )
  .get("/", (c) => serve(c, "page:check"))
  .get(`/c/:id{${CAPTURE_ID_PATTERN}}`, (c) => serve(c, "page:check"))
  .get("/account", (c) => serve(c, "page:account"))
  .get("/assets/:name", (c) => serve(c, `/assets/${c.req.param("name")}`));

async function serve(c: Context<AppEnv>, key: string): Promise<Response> {
  const assets = c.var.services.webAssets;
  if (!assets) fail("not_found", "this verifier serves no web pages");
  const asset: WebAsset | undefined = (await assets()).get(key);
  if (!asset) fail("not_found");
  const gzip = asset.gzip !== null && /\bgzip\b/.test(c.req.header("Accept-Encoding") ?? "") ? asset.gzip : null;
  c.header("Vary", "Accept-Encoding");
  return conditionalBody(c, {
    // Each encoding is its own representation, so it has its own validator.
    tag: gzip ? `${asset.tag}-gzip` : asset.tag,
    // Revalidated on every use: a redeployed verifier never runs a stale script against its API.
    cacheControl: "no-cache",
    type: asset.type,
    body: gzip ?? asset.body,
    ...(gzip ? { encoding: "gzip" } : {}),
  });
}
