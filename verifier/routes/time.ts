import { Hono } from "hono";
import { anchorToJson, signTimeAnchor } from "../../src/record/time-anchor.ts";
import type { AppEnv, Services } from "../services.ts";

export async function freshAnchor(services: Services) {
  const { anchorKeys, now } = services;
  return anchorToJson(await signTimeAnchor(anchorKeys.signingKey, anchorKeys.kid, now()));
}

/** Signed server time: cameras carry the latest one as a lower bound on their capture times. */
export const time = new Hono<AppEnv>().get("/", async (c) => c.json({ anchor: await freshAnchor(c.var.services) }));
