import { fromBase64Url } from "../src/bytes.ts";
import { type ErrorCode, ProvenanceError } from "../src/errors.ts";

/** Edge validation helpers: every malformed field becomes a 4xx with a stable code. */
export function requireBase64Url(body: unknown, field: string, maxLength: number): Uint8Array {
  const value = (body as Record<string, unknown> | null)?.[field];
  if (typeof value !== "string" || value.length === 0 || value.length > maxLength) {
    throw new ProvenanceError("bad_request", `${field} must be a base64url string of at most ${maxLength} characters`);
  }
  try {
    return fromBase64Url(value);
  } catch {
    throw new ProvenanceError("bad_request", `${field} is not base64url`);
  }
}

export function fail(code: ErrorCode, detail?: string): never {
  throw new ProvenanceError(code, detail);
}

