import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv, Services } from "./services.ts";
import { fail } from "./validate.ts";

/**
 * Hono's bodyLimit, with the common case decided from the headers alone. Its
 * first step reads `request.body`, which makes the Node adapter build a web
 * stream and give up its direct read of the socket: for a 25 MB sync batch
 * that doubled the verifier's time. A declared Content-Length is judged here;
 * only a body without one (chunked) goes through bodyLimit's counting stream.
 */
export function limitBody(maxBytes: (services: Services) => number): MiddlewareHandler<AppEnv> {
  return (c, next) => {
    const max = maxBytes(c.var.services);
    const declared = c.req.header("content-length");
    if (declared !== undefined && c.req.header("transfer-encoding") === undefined) {
      return Number(declared) > max ? fail("body_too_large", `${declared} bytes`) : next();
    }
    return bodyLimit({ maxSize: max, onError: () => fail("body_too_large") })(c, next);
  };
}
