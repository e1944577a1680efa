import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { toBase64Url } from "../src/bytes.ts";
import { isProvenanceError } from "../src/errors.ts";
import { httpStatusFor } from "../verifier/http-errors.ts";
import { cosign } from "./routes/cosign.ts";
import type { CosignerEnv, CosignerServices } from "./services.ts";

/**
 * The co-signer: a service of its own (own key, own database, own process),
 * so that a stolen vendor release key alone can never produce firmware a camera
 * installs. Runtime-free, like the verifier's app; node.ts serves it.
 */
export function createCosignerApp(services: CosignerServices) {
  const app = new Hono<CosignerEnv>()
    .use(async (c, next) => {
      c.set("services", services);
      await next();
    })
    .get("/healthz", (c) => c.json({ ok: true }))
    .get("/v1/firmware/cosigner-key", (c) => {
      const { kid, alg, publicKey } = services.signingKey;
      return c.json({ kid, alg, publicKey: toBase64Url(publicKey) });
    })
    .route("/v1/firmware", cosign);

  app.notFound((c) => c.json({ error: { code: "not_found", message: "No such resource." } }, 404));
  app.onError((error, c) => {
    if (isProvenanceError(error)) {
      if (error.code === "body_too_large" || error.code === "unsupported_media_type") c.header("Connection", "close");
      return c.json({ error: { code: error.code, message: error.message } }, httpStatusFor(error.code));
    }
    if (error instanceof HTTPException) return c.json({ error: { code: "bad_request", message: error.message || "bad_request" } }, error.status);
    console.error("co-signer: unexpected error", error);
    return c.json({ error: { code: "internal", message: "Internal error." } }, 500);
  });
  return app;
}

export type CosignerApp = ReturnType<typeof createCosignerApp>;
