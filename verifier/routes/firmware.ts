import { Hono } from "hono";
import { validator } from "hono/validator";
import { fromHex, toBase64Url, toHex } from "../../src/bytes.ts";
import { MAX_IMAGE_BYTES } from "../../src/firmware/manifest.ts";
import { MAX_RELEASE_BYTES } from "../../src/firmware/release.ts";
import { firmwareImage, nextRelease, publishRelease } from "../db/firmware.ts";
import { limitBody } from "../limit-body.ts";
import type { AppEnv } from "../services.ts";
import { fail } from "../validate.ts";

const latestQuery = validator("query", (query) => {
  const { model, keySetVersion } = query as Record<string, string | undefined>;
  if (typeof model !== "string" || model.length === 0 || model.length > 64) fail("bad_request", "model must be 1-64 characters");
  if (keySetVersion !== undefined && !/^[1-9]\d{0,8}$/.test(keySetVersion)) fail("bad_request", "keySetVersion must be a positive integer");
  return { model, keySetVersion: keySetVersion === undefined ? undefined : Number(keySetVersion) };
});

const imageParam = validator("param", (params) => {
  const { sha256 } = params as { sha256: string };
  if (!/^[0-9a-f]{64}$/.test(sha256)) fail("bad_request", "the image is named by its SHA-256 in 64 lowercase hex characters");
  return { sha256: fromHex(sha256) };
});

/**
 * Firmware distribution (docs/firmware.md). Publishing needs no account: a
 * release is accepted only if it verifies against the configured firmware key
 * set (SNAPSEAL_FIRMWARE_KEYS), which only the vendor and the co-signer
 * together can satisfy. What is served is the signed bytes as published; the
 * camera verifies them itself and trusts nothing else in the answer.
 */
export const firmware = new Hono<AppEnv>()
  .post("/", limitBody(() => MAX_IMAGE_BYTES + MAX_RELEASE_BYTES + 64 * 1024), async (c) => {
    const { db, config, now } = c.var.services;
    if (!(c.req.header("content-type") ?? "").toLowerCase().startsWith("multipart/form-data")) {
      fail("unsupported_media_type", "send multipart/form-data with a release part and an image part");
    }
    let form: FormData;
    try {
      form = await c.req.formData();
    } catch {
      return fail("bad_request", "the multipart body does not parse");
    }
    const release = form.get("release");
    const image = form.get("image");
    if (!(release instanceof Blob) || !(image instanceof Blob)) return fail("bad_request", "a release part and an image part, both files, are required");
    if (!config.firmwareTrust) return fail("firmware_trust_unconfigured");
    const published = await publishRelease(db, config.firmwareTrust, new Uint8Array(await release.arrayBuffer()), new Uint8Array(await image.arrayBuffer()), now());
    const { manifest } = published;
    return c.json(
      { model: manifest.model, version: manifest.version, imageSha256: toHex(manifest.imageSha256), url: manifest.url, keySetVersion: published.nextKeySet?.version ?? null },
      201,
    );
  })
  .get("/latest", latestQuery, async (c) => {
    const { model, keySetVersion } = c.req.valid("query");
    const release = await nextRelease(c.var.services.db, model, keySetVersion);
    if (!release) return fail("not_found", `no firmware for ${model}`);
    return c.json({ release: toBase64Url(release) });
  })
  .get("/images/:sha256", imageParam, async (c) => {
    const image = await firmwareImage(c.var.services.db, c.req.valid("param").sha256);
    if (!image) return fail("not_found", "no such firmware image");
    // Named by its hash, an image never changes.
    return c.body(image as Uint8Array<ArrayBuffer>, 200, { "content-type": "application/octet-stream", "cache-control": "public, max-age=31536000, immutable" });
  });
