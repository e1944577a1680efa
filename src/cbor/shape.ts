import { type CborValue, decodeCanonical } from "./canonical.ts";
import { type ErrorCode, ProvenanceError } from "../errors.ts";

/**
 * Readers that hold decoded CBOR to an exact shape and fail with one error code:
 * unknown map keys are refused, not ignored, so nothing unsigned or unexpected
 * can ride along in a signed structure.
 */
export function shapeOf(code: ErrorCode) {
  const fail = (detail: string): never => {
    throw new ProvenanceError(code, detail);
  };
  return {
    /** Strict deterministic decoding (see decodeCanonical), failing with this shape's code. */
    decode(bytes: Uint8Array, maxBytes: number): CborValue {
      try {
        return decodeCanonical(bytes, maxBytes);
      } catch (error) {
        return fail((error as Error).message);
      }
    },
    map(value: CborValue | undefined, name: string, required: string[], optional: string[] = []): Map<string | number, CborValue> {
      if (!(value instanceof Map)) return fail(`${name} must be a map`);
      for (const key of required) if (!value.has(key)) fail(`${name}.${key} is missing`);
      for (const key of value.keys()) {
        if (typeof key !== "string" || (!required.includes(key) && !optional.includes(key))) fail(`${name} has unexpected key ${String(key)}`);
      }
      return value;
    },
    bytes(value: CborValue | undefined, name: string, length?: { exactly?: number; max?: number; min?: number }): Uint8Array {
      if (!(value instanceof Uint8Array)) return fail(`${name} must be a byte string`);
      if (length?.exactly !== undefined && value.length !== length.exactly) fail(`${name} must be ${length.exactly} bytes`);
      if (length?.max !== undefined && value.length > length.max) fail(`${name} must be at most ${length.max} bytes`);
      if (length?.min !== undefined && value.length < length.min) fail(`${name} must be at least ${length.min} bytes`);
      return value;
    },
    uint(value: CborValue | undefined, name: string, max = Number.MAX_SAFE_INTEGER): number {
      if (typeof value !== "number" || value < 0 || value > max) return fail(`${name} must be an unsigned integer up to ${max}`);
      return value;
    },
    int(value: CborValue | undefined, name: string, bound: number): number {
      if (typeof value !== "number" || Math.abs(value) > bound) return fail(`${name} must be an integer within ±${bound}`);
      return value;
    },
    text(value: CborValue | undefined, name: string, maxLength = 128): string {
      if (typeof value !== "string" || value.length === 0 || value.length > maxLength) return fail(`${name} must be text of 1-${maxLength} characters`);
      return value;
    },
  };
}
