import { Hono } from "hono";
import { requireOwner } from "../auth/require-owner.ts";
import { auditFor } from "../db/audit-log.ts";
import type { AppEnv } from "../services.ts";
import { requirePage } from "../validate.ts";

/** The owner's view of the append-only audit log: their actions and their devices' lifecycle, newest first. */
export const ownerAudit = new Hono<AppEnv>().use(requireOwner).get("/", async (c) => {
  const page = requirePage(c.req.query(), { fallback: 100, max: 500 });
  const events = await auditFor(c.var.services.db, c.var.owner.ownerId, page);
  return c.json({ events, next: events.length === page.limit ? events[events.length - 1]!.seq : null });
});
