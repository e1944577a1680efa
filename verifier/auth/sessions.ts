import type { Client, Row, Transaction } from "@libsql/client";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { toBase64Url, utf8 } from "../../src/bytes.ts";
import { sha256 } from "../../src/crypto/sha256.ts";
import type { AppEnv } from "../services.ts";

/**
 * Owner sessions: a random token in an HttpOnly, SameSite=Strict cookie
 * (Secure, and `__Host-` prefixed, when the verifier is reached over https),
 * and a server-side row holding the token's SHA-256, so a copy of the
 * database does not sign anyone in. A session moves through the sign-in
 * steps by being replaced, never by being upgraded in place: passing a step
 * revokes the session and issues a new token, so a token seen before the
 * second factor is worth nothing after it.
 */
export type SessionState =
  /** Password passed; a TOTP or recovery code is due. */
  | "awaiting_code"
  /** Password passed on an account without TOTP: the session may only enrol it. */
  | "awaiting_enrolment"
  /** Password and second factor passed. */
  | "full";

export interface SessionRecord {
  id: string;
  ownerId: string;
  email: string;
  displayName: string;
  state: SessionState;
  csrfToken: string;
  userAgent: string | null;
  createdAt: number;
  expiresAt: number;
}

export interface IssuedSession {
  id: string;
  token: string;
  state: SessionState;
  csrfToken: string;
  expiresAt: number;
}

type Executor = Pick<Client | Transaction, "execute">;

const COOKIE = "snapseal_session";
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const USER_AGENT_CHARS = 200;

const randomToken = (bytes: number): string => toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
const tokenHash = (token: string): Promise<Uint8Array> => sha256(utf8(token));

function isHttps<E extends AppEnv>(c: Context<E>): boolean {
  return new URL(c.req.url).protocol === "https:" || c.var.services.config.origin.startsWith("https:");
}

function cookieName<E extends AppEnv>(c: Context<E>): string {
  return isHttps(c) ? `__Host-${COOKIE}` : COOKIE;
}

export async function insertSession<E extends AppEnv>(db: Executor, c: Context<E>, ownerId: string, state: SessionState): Promise<IssuedSession> {
  const { config, now } = c.var.services;
  const issued = {
    id: randomToken(16),
    token: randomToken(32),
    state,
    csrfToken: randomToken(32),
    expiresAt: now() + (state === "full" ? config.sessionTtlMs : config.pendingSessionTtlMs),
  };
  await db.execute({ sql: "DELETE FROM sessions WHERE owner_id = ? AND expires_at <= ?", args: [ownerId, now()] });
  await db.execute({
    sql: `INSERT INTO sessions (id, token_hash, owner_id, state, csrf_token, user_agent, created_at, expires_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [issued.id, await tokenHash(issued.token), ownerId, state, issued.csrfToken, c.req.header("user-agent")?.slice(0, USER_AGENT_CHARS) ?? null, now(), issued.expiresAt],
  });
  return issued;
}

/** Revokes a session that is passing a sign-in step; false if it was revoked meanwhile (a racing request won). */
export async function retireSession(db: Executor, sessionId: string, now: number): Promise<boolean> {
  const result = await db.execute({ sql: "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", args: [now, sessionId] });
  return result.rowsAffected === 1;
}

/** Revokes one of the owner's live sessions; false when the owner has no such live session. */
export async function revokeOwnSession(db: Executor, ownerId: string, sessionId: string, now: number): Promise<boolean> {
  const result = await db.execute({
    sql: "UPDATE sessions SET revoked_at = ? WHERE id = ? AND owner_id = ? AND revoked_at IS NULL AND expires_at > ?",
    args: [now, sessionId, ownerId, now],
  });
  return result.rowsAffected === 1;
}

export async function liveSessions(db: Executor, ownerId: string, now: number): Promise<SessionRecord[]> {
  const rows = (
    await db.execute({
      sql: `SELECT sessions.*, owners.email, owners.display_name FROM sessions JOIN owners ON owners.id = sessions.owner_id
            WHERE owner_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at, sessions.id`,
      args: [ownerId, now],
    })
  ).rows;
  return rows.map(toSession);
}

/** The live (unexpired, unrevoked) session the request's cookie names, or null. */
export async function sessionOf<E extends AppEnv>(c: Context<E>): Promise<SessionRecord | null> {
  const token = getCookie(c, cookieName(c));
  if (token === undefined || !TOKEN.test(token)) return null;
  const { db, now } = c.var.services;
  const row = (
    await db.execute({
      sql: `SELECT sessions.*, owners.email, owners.display_name FROM sessions JOIN owners ON owners.id = sessions.owner_id
            WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?`,
      args: [await tokenHash(token), now()],
    })
  ).rows[0];
  return row ? toSession(row) : null;
}

export function setSessionCookie<E extends AppEnv>(c: Context<E>, session: IssuedSession): void {
  const maxAge = Math.max(0, Math.floor((session.expiresAt - c.var.services.now()) / 1000));
  setCookie(c, cookieName(c), session.token, { httpOnly: true, sameSite: "Strict", secure: isHttps(c), path: "/", maxAge });
}

export function clearSessionCookie<E extends AppEnv>(c: Context<E>): void {
  deleteCookie(c, cookieName(c), { httpOnly: true, sameSite: "Strict", secure: isHttps(c), path: "/" });
}

/** What a client is told about its session: the CSRF token it must echo, and the sign-in step it is at. */
export function sessionView(session: Pick<SessionRecord, "state" | "csrfToken" | "expiresAt">) {
  return { state: session.state, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
}

function toSession(row: Row): SessionRecord {
  return {
    id: String(row.id),
    ownerId: String(row.owner_id),
    email: String(row.email),
    displayName: String(row.display_name),
    state: String(row.state) as SessionState,
    csrfToken: String(row.csrf_token),
    userAgent: row.user_agent === null ? null : String(row.user_agent),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}
