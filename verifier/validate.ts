import type { Context } from "hono";
import { fromBase64Url } from "../src/bytes.ts";
import { type ErrorCode, ProvenanceError } from "../src/errors.ts";

/**
 * Edge validation helpers: every malformed field becomes a 4xx with a stable
 * code. `label` names the field in the message when it sits deeper in the body.
 */
export function requireBase64Url(body: unknown, field: string, maxLength: number, label = field): Uint8Array {
  const value = (body as Record<string, unknown> | null)?.[field];
  if (typeof value !== "string" || value.length === 0 || value.length > maxLength) {
    throw new ProvenanceError("bad_request", `${label} must be a base64url string of at most ${maxLength} characters`);
  }
  try {
    return fromBase64Url(value);
  } catch {
    throw new ProvenanceError("bad_request", `${label} is not base64url`);
  }
}

export function fail(code: ErrorCode, detail?: string): never {
  throw new ProvenanceError(code, detail);
}

/** A throttled request: its code (a 429) with the wait in Retry-After. */
export function failThrottled(c: Context, code: ErrorCode, waitMs: number): never {
  const seconds = Math.ceil(waitMs / 1000);
  c.header("Retry-After", String(seconds));
  return fail(code, `retry in ${seconds} s`);
}

/** A page of a newest-first list from the query: `limit` (1 to `max`) and an exclusive `before` cursor. */
export function requirePage(query: Record<string, string | undefined>, limits: { fallback: number; max: number }): { limit: number; before?: number } {
  const integer = (name: string, max: number): number | undefined => {
    const raw = query[name];
    if (raw === undefined) return undefined;
    const value = /^[0-9]{1,16}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value < 1 || value > max) throw new ProvenanceError("bad_request", `${name} must be an integer from 1 to ${max}`);
    return value;
  };
  const before = integer("before", Number.MAX_SAFE_INTEGER);
  return { limit: integer("limit", limits.max) ?? limits.fallback, ...(before === undefined ? {} : { before }) };
}
