import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { isProvenanceError } from "../src/errors.ts";
import { httpStatusFor } from "./http-errors.ts";
import { account } from "./routes/account.ts";
import { captures } from "./routes/captures.ts";
import { credentials } from "./routes/credentials.ts";
import { devices } from "./routes/devices.ts";
import { firmware } from "./routes/firmware.ts";
import { ownerAudit } from "./routes/owner-audit.ts";
import { ownerDevices } from "./routes/owner-devices.ts";
import { pages } from "./routes/pages.ts";
import { pairing } from "./routes/pairing.ts";
import { provenance } from "./routes/provenance.ts";
import { time } from "./routes/time.ts";
import type { AppEnv, Services } from "./services.ts";

const refusedUnread = new Set<string>(["body_too_large", "unsupported_media_type", "image_too_large"]);

/** The verifier application, free of any runtime: node.ts and deno.ts serve it. */
export function createApp(services: Services) {
  const app = new Hono<AppEnv>()
    .use(async (c, next) => {
      c.set("services", services);
      await next();
    })
    .get("/healthz", (c) => c.json({ ok: true }))
    .route("/v1/account", account)
    .route("/v1/devices", devices)
    .route("/v1/devices", pairing)
    .route("/v1/owner/devices", ownerDevices)
    .route("/v1/owner/audit", ownerAudit)
    .route("/v1/captures", captures)
    .route("/v1/credentials", credentials)
    .route("/v1/firmware", firmware)
    .route("/v1/provenance", provenance)
    .route("/v1/time", time)
    .route("/", pages);

  app.notFound((c) => c.json({ error: { code: "not_found", message: "No such resource." } }, 404));
  app.onError((error, c) => {
    if (isProvenanceError(error)) {
      // A body refused before it was read leaves unread bytes on the socket, and
      // the Node adapter then drops the connection: say so rather than promise keep-alive.
      if (refusedUnread.has(error.code)) c.header("Connection", "close");
      return c.json({ error: { code: error.code, message: error.message } }, httpStatusFor(error.code));
    }
    if (error instanceof HTTPException) {
      const code = error.status === 413 ? "body_too_large" : error.status === 415 ? "unsupported_media_type" : "bad_request";
      return c.json({ error: { code, message: error.message || code } }, error.status);
    }
    console.error("verifier: unexpected error", error);
    return c.json({ error: { code: "internal", message: "Internal error." } }, 500);
  });
  return app;
}

export type VerifierApp = ReturnType<typeof createApp>;
