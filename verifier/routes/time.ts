import { Hono } from "hono";
import { toBase64Url } from "../../src/bytes.ts";
import { anchorToJson, signTimeAnchor } from "../../src/record/time-anchor.ts";
import type { AppEnv, Services } from "../services.ts";

export async function freshAnchor(services: Services) {
  const { anchorKeys, now } = services;
  return anchorToJson(await signTimeAnchor(anchorKeys.signingKey, anchorKeys.kid, now()));
}

/**
 * Signed server time: cameras carry the latest one as a lower bound on their
 * capture times. The anchor keys come along so third parties can check anchors.
 */
export const time = new Hono<AppEnv>().get("/", async (c) => {
  const { anchorKeys } = c.var.services;
  return c.json({
    anchor: await freshAnchor(c.var.services),
    keys: await Promise.all(
      [...anchorKeys.verifyingKeys].map(async ([kid, key]) => ({ kid, publicKey: toBase64Url(new Uint8Array(await crypto.subtle.exportKey("raw", key))) })),
    ),
  });
});
