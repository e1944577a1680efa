import { Encoder, type Options } from "cbor-x";
import { bytesEqual, plainBytes } from "../bytes.ts";

/**
 * cbor-x options for the formats we sign and exchange. Maps stay Maps (integer
 * COSE labels survive) and, with mapsAsObjects off, are written without tag 259;
 * byte strings are untagged; map headers are sized to their content, as
 * RFC 8949 §4.2.1's preferred serialisation requires.
 */
const options: Options & { int64AsNumber: boolean } = {
  useRecords: false,
  mapsAsObjects: false,
  tagUint8Array: false,
  variableMapSize: true,
  // Untyped in cbor-x's declarations; makes 64-bit integers numbers, not BigInt.
  int64AsNumber: true,
  pack: false,
};
const cbor = new Encoder(options);

export type CborValue = number | string | boolean | null | Uint8Array | CborValue[] | Map<string | number, CborValue>;

/**
 * Deterministic encoding (RFC 8949 §4.2.1): keys sorted by their encoded bytes,
 * shortest integer forms. cbor-x writes integers of 2^32 and above as float64, so
 * those go in as BigInt, which it writes as a 64-bit unsigned integer.
 */
export function encodeCanonical(value: CborValue): Uint8Array {
  // cbor-x hands out views into a buffer it goes on writing to, with a DataView
  // attached: a copy is ours alone and a plain Uint8Array.
  return new Uint8Array(cbor.encode(prepare(value)));
}

function prepare(value: CborValue): unknown {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new TypeError("only safe integers are encoded");
    return value >= 2 ** 32 ? BigInt(value) : value;
  }
  if (Array.isArray(value)) return value.map(prepare);
  if (value instanceof Map) {
    const entries = [...value].map(([key, item]) => [key, prepare(item), encodedKey(key)] as const);
    entries.sort((a, b) => compareBytes(a[2], b[2]));
    return new Map(entries.map(([key, item]) => [key, item]));
  }
  return value;
}

/** Map keys are encoded once each; the bound keeps hostile input from growing the memo. */
const encodedKeys = new Map<string | number, Uint8Array>();
const MAX_REMEMBERED_KEYS = 128;

function encodedKey(key: string | number): Uint8Array {
  let encoded = encodedKeys.get(key);
  if (!encoded) {
    encoded = new Uint8Array(cbor.encode(key));
    if (encodedKeys.size < MAX_REMEMBERED_KEYS) encodedKeys.set(key, encoded);
  }
  return encoded;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export class CborStrictError extends Error {
  override readonly name = "CborStrictError";
}

/**
 * Decodes one CBOR item and insists that it is the only one and already in
 * deterministic form: re-encoding must give back the same bytes. That single
 * rule refuses trailing bytes, duplicate keys, unsorted maps, non-shortest
 * integers, floats for integers, indefinite lengths and tags, so two parties can
 * never disagree on what a signed structure says.
 */
export function decodeCanonical(bytes: Uint8Array, maxBytes: number): CborValue {
  if (bytes.length > maxBytes) throw new CborStrictError(`more than ${maxBytes} bytes`);
  let decoded: unknown;
  try {
    // cbor-x caches a DataView on the array it decodes: give it a copy, not the caller's bytes.
    decoded = cbor.decode(new Uint8Array(bytes));
  } catch (error) {
    // Deep nesting surfaces here as a RangeError from the call stack: still just bad input.
    throw new CborStrictError(error instanceof Error ? error.message : String(error));
  }
  const value = normalise(decoded, 0);
  let reencoded: Uint8Array;
  try {
    reencoded = encodeCanonical(value);
  } catch {
    throw new CborStrictError("not representable deterministically");
  }
  if (!bytesEqual(reencoded, plainBytes(bytes))) throw new CborStrictError("not in deterministic encoding");
  return value;
}

const MAX_DEPTH = 16;

function normalise(value: unknown, depth: number): CborValue {
  if (depth > MAX_DEPTH) throw new CborStrictError("nested too deeply");
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new CborStrictError("non-integer number");
    return value;
  }
  if (value instanceof Uint8Array) return plainBytes(value);
  if (Array.isArray(value)) return value.map((item) => normalise(item, depth + 1));
  if (value instanceof Map) {
    const out = new Map<string | number, CborValue>();
    for (const [key, item] of value) {
      if (typeof key !== "string" && !(typeof key === "number" && Number.isSafeInteger(key))) {
        throw new CborStrictError("map key is not a string or integer");
      }
      out.set(key, normalise(item, depth + 1));
    }
    return out;
  }
  throw new CborStrictError(`unsupported CBOR item (${Object.prototype.toString.call(value)})`);
}
