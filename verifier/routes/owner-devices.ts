import { type Context, Hono } from "hono";
import { validator } from "hono/validator";
import { requireOwner } from "../auth/require-owner.ts";
import { acceptTransfer, decideReregistration, renameDevice, reportStolen, revokeDevice, startTransfer } from "../db/device-lifecycle.ts";
import { type OwnedDevice, deviceCaptures, visibleDevice, visibleDevices } from "../db/ownership.ts";
import { claimPairingCode } from "../db/pairing-codes.ts";
import { conditionalBody, contentTag } from "../conditional-get.ts";
import { CAPTURE_ID } from "../../src/record/capture-record.ts";
import { thumbnailOf } from "../db/thumbnails.ts";
import { limitBody } from "../limit-body.ts";
import type { AppEnv } from "../services.ts";
import { fail, failThrottled, requirePage } from "../validate.ts";

const MAX_NAME_CHARACTERS = 64;

function deviceName(body: unknown): string {
  const value = (body as Record<string, unknown> | null)?.name;
  if (typeof value !== "string") fail("bad_request", "name must be a string");
  const name = value.trim();
  const characters = [...name].length;
  if (characters < 1 || characters > MAX_NAME_CHARACTERS || /\p{Cc}/u.test(name)) {
    fail("bad_request", `name must be 1 to ${MAX_NAME_CHARACTERS} characters, without control characters`);
  }
  return name;
}

function typedCode(body: unknown): string {
  const code = (body as Record<string, unknown> | null)?.code;
  if (typeof code !== "string" || code.length === 0 || code.length > 32) fail("bad_request", "code must be a string of at most 32 characters");
  return code;
}

const codeAndName = validator("json", (body) => ({ code: typedCode(body), name: deviceName(body) }));
const nameOnly = validator("json", (body) => ({ name: deviceName(body) }));

/** A credential id in the path; anything else names no device (404, like another owner's device). */
function deviceId(c: Context<AppEnv>): string {
  const id = c.req.param("id") ?? "";
  if (!/^[A-Za-z0-9_-]{22,1400}$/.test(id)) fail("not_found");
  return id;
}

async function shown(c: Context<AppEnv>, id: string): Promise<OwnedDevice> {
  const device = await visibleDevice(c.var.services.db, c.var.owner.ownerId, id);
  if (!device) fail("not_found");
  return device;
}

/**
 * The owner dashboard's devices: every route needs a full session (password
 * and TOTP, CSRF-checked on changes) and acts only on the owner's own
 * devices; any other device answers 404 not_found, so existence never leaks.
 */
export const ownerDevices = new Hono<AppEnv>()
  .use(requireOwner)
  .use(limitBody(() => 16 * 1024))
  .get("/", async (c) => c.json({ devices: await visibleDevices(c.var.services.db, c.var.owner.ownerId) }))
  .post("/pair", codeAndName, async (c) => {
    const { db, config, now } = c.var.services;
    const { code, name } = c.req.valid("json");
    const claimed = await claimPairingCode(db, { ownerId: c.var.owner.ownerId, code, name, now: now(), limit: config.codeAttemptLimit });
    if ("retryAfterMs" in claimed) failThrottled(c, "too_many_attempts", claimed.retryAfterMs);
    return c.json({ device: await shown(c, claimed.credentialId) }, 201);
  })
  .post("/accept-transfer", codeAndName, async (c) => {
    const { db, config, now } = c.var.services;
    const { code, name } = c.req.valid("json");
    const accepted = await acceptTransfer(db, { ownerId: c.var.owner.ownerId, code, name, now: now(), limit: config.codeAttemptLimit });
    if ("retryAfterMs" in accepted) failThrottled(c, "too_many_attempts", accepted.retryAfterMs);
    return c.json({ device: await shown(c, accepted.credentialId) });
  })
  .get("/:id", async (c) => c.json({ device: await shown(c, deviceId(c)) }))
  .patch("/:id", nameOnly, async (c) => {
    const id = deviceId(c);
    await renameDevice(c.var.services.db, c.var.owner.ownerId, id, c.req.valid("json").name, c.var.services.now());
    return c.json({ device: await shown(c, id) });
  })
  .post("/:id/revoke", async (c) => {
    const id = deviceId(c);
    await revokeDevice(c.var.services.db, c.var.owner.ownerId, id, c.var.services.now());
    return c.json({ device: await shown(c, id) });
  })
  .post("/:id/report-stolen", async (c) => {
    const id = deviceId(c);
    await reportStolen(c.var.services.db, c.var.owner.ownerId, id, c.var.services.now());
    return c.json({ device: await shown(c, id) });
  })
  .post("/:id/transfer", async (c) => {
    const { db, config, now } = c.var.services;
    const transfer = await startTransfer(db, c.var.owner.ownerId, deviceId(c), now(), config.transferCodeTtlMs);
    return c.json({ transferCode: transfer.code, expiresAt: new Date(transfer.expiresAt).toISOString() }, 201);
  })
  .post("/:id/approve", async (c) => {
    const id = deviceId(c);
    await decideReregistration(c.var.services.db, c.var.owner.ownerId, id, "approved", c.var.services.now());
    return c.json({ device: await shown(c, id) });
  })
  .post("/:id/refuse", async (c) => {
    const id = deviceId(c);
    await decideReregistration(c.var.services.db, c.var.owner.ownerId, id, "refused", c.var.services.now());
    return c.json({ refused: id });
  })
  .get("/:id/captures", async (c) => {
    const id = deviceId(c);
    const page = requirePage(c.req.query(), { fallback: 50, max: 200 });
    await shown(c, id);
    // Thumbnails follow a sync by a moment (verifier/thumbnail-queue.ts): an owner looking right after it sees them.
    await c.var.services.thumbnails?.settled(id);
    const captures = await deviceCaptures(c.var.services.db, id, { limit: page.limit, ...(page.before === undefined ? {} : { beforeCounter: page.before }) });
    const next = captures.length === page.limit ? captures[captures.length - 1]!.counter : null;
    return c.json({ captures, next });
  })
  .get("/:id/captures/:captureId/thumbnail", async (c) => {
    const id = deviceId(c);
    const captureId = c.req.param("captureId");
    if (!CAPTURE_ID.test(captureId)) fail("not_found");
    await shown(c, id);
    await c.var.services.thumbnails?.settled(id);
    const thumbnail = await thumbnailOf(c.var.services.db, id, captureId);
    if (!thumbnail) fail("not_found");
    // A capture's thumbnail is made once and never changes; only its owner may fetch it.
    return conditionalBody(c, { tag: await contentTag(thumbnail.jpeg), cacheControl: "private, max-age=31536000, immutable", type: "image/jpeg", body: thumbnail.jpeg });
  });
