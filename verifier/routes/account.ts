import type { Client, Transaction } from "@libsql/client";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { validator } from "hono/validator";
import QRCode from "qrcode";
import { fromUtf8, utf8 } from "../../src/bytes.ts";
import { openSecret, sealSecret } from "../../src/secrets/envelope.ts";
import { matchTotpStep, newTotpEnrolment } from "../../src/totp/totp-code.ts";
import { attemptScopes, clearAccountFailures, countFailure, admitSignUp, refuseWhileThrottled } from "../auth/attempts.ts";
import { checkOrigin } from "../auth/csrf.ts";
import { hashPassword, verifyAgainstDecoy, verifyPassword } from "../auth/password.ts";
import { newRecoveryCodes, normaliseRecoveryCode, recoveryCodeHash } from "../auth/recovery-codes.ts";
import { requireOwner, requireSession } from "../auth/require-owner.ts";
import {
  type IssuedSession,
  type SessionRecord,
  type SessionState,
  clearSessionCookie,
  insertSession,
  liveSessions,
  retireSession,
  revokeOwnSession,
  sessionView,
  setSessionCookie,
} from "../auth/sessions.ts";
import {
  completeTotpEnrolment,
  findOwner,
  findOwnerByEmail,
  insertOwner,
  insertRecoveryCodes,
  recoveryCodesLeft,
  replacePasswordHash,
  spendRecoveryCode,
  startTotpEnrolment,
  totpSecretContext,
  totpSubject,
} from "../db/accounts.ts";
import { consumeTotpStep } from "../db/second-factor.ts";
import { inWriteTransaction } from "../db/write-transaction.ts";
import { limitBody } from "../limit-body.ts";
import type { AppEnv } from "../services.ts";
import { fail } from "../validate.ts";

// ---------------------------------------------------------------------------
// Validators at the edge: a field of the wrong type, size or form is bad_request.

const MAX_BODY_BYTES = 16 * 1024;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Controls, the bidirectional overrides that make a name display as something else, and what undecodable bytes became. */
const UNPRINTABLE = /[\p{Cc}\u202A-\u202E\u2066-\u2069\uFFFD\uFFFE\uFFFF]/u;

function field(body: unknown, name: string, maxLength: number): string {
  if (typeof body !== "object" || body === null || Array.isArray(body)) fail("bad_request", "the body must be a JSON object");
  const value = (body as Record<string, unknown>)[name];
  if (typeof value !== "string") fail("bad_request", `${name} must be a string`);
  if (value.length > maxLength) fail("bad_request", `${name} must be at most ${maxLength} characters`);
  if (LONE_SURROGATE.test(value)) fail("bad_request", `${name} is not well-formed Unicode`);
  return value;
}

function has(body: unknown, name: string): boolean {
  return typeof body === "object" && body !== null && !Array.isArray(body) && (body as Record<string, unknown>)[name] !== undefined;
}

function email(body: unknown): string {
  const value = field(body, "email", 254).trim().normalize("NFC").toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(value) || UNPRINTABLE.test(value)) fail("bad_request", "email must be an email address");
  return value;
}

function password(body: unknown): string {
  const value = field(body, "password", 256);
  if (value.length < 10) fail("bad_request", "password must be at least 10 characters");
  return value;
}

function displayName(body: unknown): string {
  const value = field(body, "displayName", 80).trim().normalize("NFC");
  if (value.length === 0 || UNPRINTABLE.test(value)) fail("bad_request", "displayName must be 1 to 80 printable characters");
  return value;
}

function totpCode(body: unknown): string {
  const value = field(body, "code", 16).replace(/\s/g, "");
  if (!/^\d{6}$/.test(value)) fail("bad_request", "code must be six digits");
  return value;
}

function recoveryCode(body: unknown): string {
  const value = normaliseRecoveryCode(field(body, "recoveryCode", 64));
  if (!value) fail("bad_request", "recoveryCode must be a recovery code (xxxx-xxxx-xxxx-xxxx)");
  return value;
}

const json: MiddlewareHandler<AppEnv> = (c, next) => {
  if (!/^application\/json\s*(;|$)/i.test(c.req.header("content-type") ?? "")) fail("unsupported_media_type", "send application/json");
  return next();
};
const jsonBody = [limitBody(() => MAX_BODY_BYTES), json] as const;
/** Sign-up and sign-in have no session yet; a foreign Origin is still refused (login CSRF). */
const sameOrigin: MiddlewareHandler<AppEnv> = (c, next) => {
  checkOrigin(c);
  return next();
};

const signUpBody = validator("json", (body) => ({ email: email(body), displayName: displayName(body), password: password(body) }));
const signInBody = validator("json", (body) => {
  const typed = field(body, "password", 256);
  if (typed.length === 0) fail("bad_request", "password must not be empty");
  return { email: email(body), password: typed };
});
const codeBody = validator("json", (body) => ({ code: totpCode(body) }));
const secondFactorBody = validator("json", (body): { code: string } | { recoveryCode: string } => {
  if (has(body, "code") === has(body, "recoveryCode")) fail("bad_request", "send exactly one of code and recoveryCode");
  return has(body, "code") ? { code: totpCode(body) } : { recoveryCode: recoveryCode(body) };
});

// ---------------------------------------------------------------------------

type Executor = Pick<Client | Transaction, "execute">;

/**
 * Passing a sign-in step replaces the session: the old one is revoked and a
 * new token issued, in the caller's transaction. A session another request
 * already moved on (a raced double submit) is refused.
 */
async function replaceSession<E extends AppEnv>(tx: Executor, c: Context<E>, from: SessionRecord, to: SessionState): Promise<IssuedSession> {
  if (!(await retireSession(tx, from.id, c.var.services.now()))) fail("session_required", "this session was replaced by another request");
  return insertSession(tx, c, from.ownerId, to);
}

const ownerView = (owner: { id: string; email: string; displayName: string }) => ({ id: owner.id, email: owner.email, displayName: owner.displayName });

/**
 * Owner accounts and sessions (docs/api.md, "Accounts and sessions"). Signing
 * in is password, then a TOTP or recovery code; an account without TOTP gets
 * a session that can only enrol it.
 */
export const account = new Hono<AppEnv>()
  .post("/signup", ...jsonBody, sameOrigin, signUpBody, async (c) => {
    const { db, config, now } = c.var.services;
    const input = c.req.valid("json");
    await admitSignUp(c);
    const owner = { id: crypto.randomUUID(), email: input.email, displayName: input.displayName, createdAt: now() };
    // Hashed before the transaction: a third of a second must not hold the database's write lock.
    const passwordHash = await hashPassword(input.password, config.passwordCostLog2);
    const created = await inWriteTransaction(db, async (tx) => {
      if (!(await insertOwner(tx, { ...owner, passwordHash }))) return null;
      return insertSession(tx, c, owner.id, "awaiting_enrolment");
    });
    if (!created) fail("account_exists");
    setSessionCookie(c, created);
    return c.json({ owner: ownerView(owner), session: sessionView(created) }, 201);
  })

  // Sign-in step 1: the password.
  .post("/signin", ...jsonBody, sameOrigin, signInBody, async (c) => {
    const { db, config } = c.var.services;
    const input = c.req.valid("json");
    const scopes = attemptScopes(c, input.email);
    await refuseWhileThrottled(c, scopes);
    const owner = await findOwnerByEmail(db, input.email);
    if (!owner) {
      await verifyAgainstDecoy(input.password, config.passwordCostLog2);
      await countFailure(c, scopes);
      fail("credentials_invalid");
    }
    const check = await verifyPassword(input.password, owner.passwordHash, config.passwordCostLog2);
    if (!check.matches) {
      await countFailure(c, scopes);
      fail("credentials_invalid");
    }
    if (check.needsRehash) await replacePasswordHash(db, owner.id, owner.passwordHash, await hashPassword(input.password, config.passwordCostLog2));
    const session = await insertSession(db, c, owner.id, owner.totpEnrolledAt === null ? "awaiting_enrolment" : "awaiting_code");
    setSessionCookie(c, session);
    return c.json({ session: sessionView(session) });
  })

  // Sign-in step 2: a TOTP code (accepted once) or a recovery code (spent).
  .post("/signin/code", ...jsonBody, requireSession("awaiting_code"), secondFactorBody, async (c) => {
    const { db, secretKeys, now } = c.var.services;
    const { session } = c.var;
    const input = c.req.valid("json");
    const scopes = attemptScopes(c, session.email);
    await refuseWhileThrottled(c, scopes);
    const owner = (await findOwner(db, session.ownerId))!;

    let step: number | null = null;
    if ("code" in input) {
      const secret = fromUtf8(await openSecret(secretKeys, owner.totpSecret!, totpSecretContext(owner.id)));
      step = matchTotpStep(secret, input.code, now());
      if (step === null) {
        await countFailure(c, scopes);
        fail("totp_invalid");
      }
    }
    const codeHash = "recoveryCode" in input ? await recoveryCodeHash(input.recoveryCode) : null;
    const signedIn = await inWriteTransaction(db, async (tx) => {
      if (step !== null && !(await consumeTotpStep(tx, totpSubject(owner.id), step, now()))) return "totp_reused" as const;
      if (codeHash && !(await spendRecoveryCode(tx, owner.id, codeHash, now()))) return "recovery_code_invalid" as const;
      return replaceSession(tx, c, session, "full");
    });
    if (typeof signedIn === "string") {
      await countFailure(c, scopes);
      fail(signedIn);
    }
    await clearAccountFailures(c, scopes);
    setSessionCookie(c, signedIn);
    return c.json({ owner: ownerView(owner), session: sessionView(signedIn), recoveryCodesLeft: await recoveryCodesLeft(db, owner.id) });
  })

  // TOTP enrolment, step 1: a new secret, shown three ways. Asking again replaces it.
  .post("/totp/enrol", requireSession("awaiting_enrolment"), async (c) => {
    const { db, secretKeys, now } = c.var.services;
    const { session } = c.var;
    const enrolment = newTotpEnrolment("SnapSeal", session.email);
    const sealed = await sealSecret(secretKeys, utf8(enrolment.base32), totpSecretContext(session.ownerId), now());
    if (!(await startTotpEnrolment(db, session.ownerId, sealed))) fail("session_state_invalid", "TOTP is enrolled already");
    const qrSvg = await QRCode.toString(enrolment.uri, { type: "svg", errorCorrectionLevel: "M" });
    return c.json({ base32: enrolment.base32, pretty: enrolment.pretty, uri: enrolment.uri, qrSvg });
  })

  // TOTP enrolment, step 2: a valid code from the new secret completes it, issues recovery codes and signs in.
  .post("/totp/confirm", ...jsonBody, requireSession("awaiting_enrolment"), codeBody, async (c) => {
    const { db, secretKeys, now } = c.var.services;
    const { session } = c.var;
    const { code } = c.req.valid("json");
    const scopes = attemptScopes(c, session.email);
    await refuseWhileThrottled(c, scopes);
    const owner = (await findOwner(db, session.ownerId))!;
    if (owner.totpSecret === null) fail("totp_not_started");
    const secret = fromUtf8(await openSecret(secretKeys, owner.totpSecret, totpSecretContext(owner.id)));
    const step = matchTotpStep(secret, code, now());
    if (step === null) {
      await countFailure(c, scopes);
      fail("totp_invalid");
    }
    const recoveryCodes = newRecoveryCodes();
    const codeHashes = await Promise.all(recoveryCodes.map((typed) => recoveryCodeHash(normaliseRecoveryCode(typed)!)));
    const enrolled = await inWriteTransaction(db, async (tx) => {
      if (!(await consumeTotpStep(tx, totpSubject(owner.id), step, now()))) return "totp_reused" as const;
      if (!(await completeTotpEnrolment(tx, owner.id, owner.totpSecret!, now()))) fail("session_state_invalid", "the pending secret was replaced or enrolled meanwhile");
      await insertRecoveryCodes(tx, owner.id, codeHashes, now());
      return replaceSession(tx, c, session, "full");
    });
    if (typeof enrolled === "string") {
      await countFailure(c, scopes);
      fail(enrolled);
    }
    await clearAccountFailures(c, scopes);
    setSessionCookie(c, enrolled);
    return c.json({ owner: ownerView(owner), session: sessionView(enrolled), recoveryCodes });
  })

  .get("/me", requireOwner, async (c) => {
    const { db } = c.var.services;
    const owner = (await findOwner(db, c.var.owner.ownerId))!;
    return c.json({ ...ownerView(owner), createdAt: owner.createdAt, totpEnrolledAt: owner.totpEnrolledAt, recoveryCodesLeft: await recoveryCodesLeft(db, owner.id) });
  })

  // Any live session: its step and CSRF token, for a page that was reloaded.
  .get("/session", requireSession("awaiting_code", "awaiting_enrolment", "full"), (c) => c.json({ session: sessionView(c.var.session) }))

  .get("/sessions", requireOwner, async (c) => {
    const { db, now } = c.var.services;
    const sessions = await liveSessions(db, c.var.owner.ownerId, now());
    return c.json({
      sessions: sessions.map((session) => ({
        id: session.id,
        state: session.state,
        createdAt: session.createdAt,
        expiresAt: session.expiresAt,
        userAgent: session.userAgent,
        current: session.id === c.var.owner.sessionId,
      })),
    });
  })

  .delete("/sessions/:id", requireOwner, async (c) => {
    const { db, now } = c.var.services;
    const id = c.req.param("id");
    if (!(await revokeOwnSession(db, c.var.owner.ownerId, id, now()))) fail("not_found", "no live session of yours has this id");
    if (id === c.var.owner.sessionId) clearSessionCookie(c);
    return c.json({ revoked: id });
  })

  .post("/signout", requireSession("awaiting_code", "awaiting_enrolment", "full"), async (c) => {
    const { db, now } = c.var.services;
    await retireSession(db, c.var.session.id, now());
    clearSessionCookie(c);
    return c.json({ signedOut: true });
  });
