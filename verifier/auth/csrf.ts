import type { Context } from "hono";
import { bytesEqual, utf8 } from "../../src/bytes.ts";
import type { AppEnv } from "../services.ts";
import { fail } from "../validate.ts";

/**
 * Cross-site request forgery defences. The session cookie is SameSite=Strict,
 * and on top of that every state-changing request that rides on it must
 * echo the session's CSRF token (which another site cannot read) and must not
 * name a foreign Origin.
 */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function isStateChanging(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/**
 * A browser names the origin of the page behind a request; one other than the
 * dashboard's (the configured origin) or the verifier's own is refused, even
 * before there is a session (sign-up and sign-in, against login CSRF).
 */
export function checkOrigin<E extends AppEnv>(c: Context<E>): void {
  const origin = c.req.header("origin");
  if (origin === undefined) return;
  if (origin !== c.var.services.config.origin && origin !== new URL(c.req.url).origin) fail("csrf_invalid", "the request comes from another origin");
}

export function checkCsrfToken<E extends AppEnv>(c: Context<E>, expected: string): void {
  const sent = c.req.header("x-csrf-token");
  if (sent === undefined || !bytesEqual(utf8(sent), utf8(expected))) fail("csrf_invalid", "send the session's CSRF token in X-CSRF-Token");
}
