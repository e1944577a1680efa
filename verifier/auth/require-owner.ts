import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../services.ts";
import { fail } from "../validate.ts";
import { checkCsrfToken, checkOrigin, isStateChanging } from "./csrf.ts";
import { type SessionRecord, type SessionState, sessionOf } from "./sessions.ts";

/** The environment of a route behind requireSession: the checked session is `c.var.session`. */
export type SessionEnv = { Variables: AppEnv["Variables"] & { session: SessionRecord } };

/**
 * The checks every request on a session passes, in order:
 * 1. its cookie names a live session (unexpired, unrevoked): else session_required;
 * 2. the session is at a sign-in step the route serves: a route for signed-in
 *    owners refuses a half-signed-in session (second_factor_required), a
 *    sign-in step refuses any other (session_state_invalid);
 * 3. a state-changing request names no foreign Origin and echoes the
 *    session's CSRF token: else csrf_invalid.
 */
async function checkedSession<E extends AppEnv>(c: Context<E>, states: readonly SessionState[]): Promise<SessionRecord> {
  const session = await sessionOf(c);
  if (!session) fail("session_required");
  if (!states.includes(session.state)) {
    fail(states.length === 1 && states[0] === "full" ? "second_factor_required" : "session_state_invalid", `the session is ${session.state}`);
  }
  if (isStateChanging(c.req.method)) {
    checkOrigin(c);
    checkCsrfToken(c, session.csrfToken);
  }
  return session;
}

/** For the sign-in steps (verifier/routes/account.ts): a session at one of `states`. */
export function requireSession(...states: SessionState[]): MiddlewareHandler<SessionEnv> {
  return async (c, next) => {
    c.set("session", await checkedSession(c, states));
    await next();
  };
}

/** For every owner route: a fully signed-in session (password and second factor), CSRF-checked. */
export const requireOwner: MiddlewareHandler<AppEnv> = async (c, next) => {
  const session = await checkedSession(c, ["full"]);
  c.set("owner", { ownerId: session.ownerId, displayName: session.displayName, sessionId: session.id });
  await next();
};
