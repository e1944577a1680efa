import { type CborValue, encodeCanonical } from "../cbor/canonical.ts";
import { shapeOf } from "../cbor/shape.ts";
import { fromBase64Url, toBase64Url } from "../bytes.ts";
import { ED25519_PUBLIC_KEY_BYTES, ed25519KeyId } from "../crypto/ed25519.ts";
import { type ErrorCode, ProvenanceError } from "../errors.ts";

/**
 * The keys a camera trusts for firmware, as one TUF-style role: `keys` (the
 * vendor's release key, then the co-signer's key), `threshold` distinct keys must
 * sign, `revoked` ids are refused outright, and `version` orders key sets so
 * an older one can never replace a newer one. A camera is manufactured with
 * version 1; later sets arrive only through rotation (see verify-manifest.ts).
 */
export const FIRMWARE_KEY_ALG = "Ed25519";
/** Two signatures are the point of the design: no key set may ask for fewer. */
export const MIN_THRESHOLD = 2;
const MAX_KEYS = 16;
const MAX_REVOKED = 64;
const KEY_ID = /^[0-9a-f]{64}$/;

export interface FirmwareKey {
  /** Lowercase hex SHA-256 of publicKey. */
  kid: string;
  alg: typeof FIRMWARE_KEY_ALG;
  publicKey: Uint8Array;
}

export interface KeySet {
  version: number;
  threshold: number;
  keys: FirmwareKey[];
  revoked: string[];
}

export function isKeyId(text: unknown): text is string {
  return typeof text === "string" && KEY_ID.test(text);
}

export function firmwareKeyOf(publicKey: Uint8Array): FirmwareKey {
  return { kid: ed25519KeyId(publicKey), alg: FIRMWARE_KEY_ALG, publicKey };
}

export function findKey(keySet: KeySet, kid: string): FirmwareKey | undefined {
  return keySet.keys.find((key) => key.kid === kid);
}

/** The rules every key set obeys, whether it came as CBOR or JSON. */
function checkKeySet(keySet: KeySet, fail: (detail: string) => never): KeySet {
  const { version, threshold, keys, revoked } = keySet;
  if (!Number.isSafeInteger(version) || version < 1) fail("version must be a positive integer");
  if (keys.length < MIN_THRESHOLD || keys.length > MAX_KEYS) fail(`a key set holds ${MIN_THRESHOLD} to ${MAX_KEYS} keys`);
  if (!Number.isSafeInteger(threshold) || threshold < MIN_THRESHOLD || threshold > keys.length) fail(`threshold must be from ${MIN_THRESHOLD} to the number of keys`);
  const kids = new Set<string>();
  for (const key of keys) {
    if (key.alg !== FIRMWARE_KEY_ALG) fail(`key ${key.kid} has alg ${String(key.alg)}, not ${FIRMWARE_KEY_ALG}`);
    if (key.publicKey.length !== ED25519_PUBLIC_KEY_BYTES) fail(`key ${key.kid} is not a ${ED25519_PUBLIC_KEY_BYTES}-byte Ed25519 public key`);
    if (key.kid !== ed25519KeyId(key.publicKey)) fail(`key id ${key.kid} is not the SHA-256 of its public key`);
    if (kids.has(key.kid)) fail(`key ${key.kid} appears twice`);
    kids.add(key.kid);
  }
  if (revoked.length > MAX_REVOKED) fail(`at most ${MAX_REVOKED} revoked key ids`);
  const revokedIds = new Set<string>();
  for (const kid of revoked) {
    if (!isKeyId(kid)) fail("revoked entries must be 64-character lowercase hex key ids");
    if (kids.has(kid)) fail(`key ${kid} is both trusted and revoked`);
    if (revokedIds.has(kid)) fail(`revoked key ${kid} appears twice`);
    revokedIds.add(kid);
  }
  return keySet;
}

export function keySetToCbor(keySet: KeySet): CborValue {
  return new Map<string, CborValue>([
    ["version", keySet.version],
    ["threshold", keySet.threshold],
    ["keys", keySet.keys.map((key) => new Map<string, CborValue>([["kid", key.kid], ["alg", key.alg], ["publicKey", key.publicKey]]))],
    ["revoked", [...keySet.revoked]],
  ]);
}

/** Reads a key set out of decoded CBOR, failing with the caller's code (a manifest's or a stored set's). */
export function keySetFromCbor(value: CborValue | undefined, code: ErrorCode): KeySet {
  const shape = shapeOf(code);
  const fail = (detail: string): never => {
    throw new ProvenanceError(code, detail);
  };
  const map = shape.map(value, "keySet", ["version", "threshold", "keys", "revoked"]);
  const keys = map.get("keys");
  const revoked = map.get("revoked");
  if (!Array.isArray(keys) || keys.length > MAX_KEYS) fail(`keySet.keys must be an array of at most ${MAX_KEYS} keys`);
  if (!Array.isArray(revoked) || revoked.length > MAX_REVOKED) fail(`keySet.revoked must be an array of at most ${MAX_REVOKED} key ids`);
  return checkKeySet(
    {
      version: shape.uint(map.get("version"), "keySet.version"),
      threshold: shape.uint(map.get("threshold"), "keySet.threshold", MAX_KEYS),
      keys: (keys as CborValue[]).map((entry, index) => {
        const key = shape.map(entry, `keySet.keys[${index}]`, ["kid", "alg", "publicKey"]);
        const kid = shape.text(key.get("kid"), `keySet.keys[${index}].kid`, 64);
        const alg = shape.text(key.get("alg"), `keySet.keys[${index}].alg`, 16);
        return { kid, alg: alg as typeof FIRMWARE_KEY_ALG, publicKey: shape.bytes(key.get("publicKey"), `keySet.keys[${index}].publicKey`, { max: 64 }) };
      }),
      revoked: (revoked as CborValue[]).map((kid, index) => shape.text(kid, `keySet.revoked[${index}]`, 64)),
    },
    fail,
  );
}

export function encodeKeySet(keySet: KeySet): Uint8Array {
  return encodeCanonical(keySetToCbor(keySet));
}

const MAX_KEY_SET_BYTES = 4096;

export function decodeKeySet(bytes: Uint8Array): KeySet {
  return keySetFromCbor(shapeOf("firmware_keyset_malformed").decode(bytes, MAX_KEY_SET_BYTES), "firmware_keyset_malformed");
}

/** The JSON a camera is manufactured with and a verifier is configured with (`snapseal firmware trust` writes it). */
export interface KeySetJson {
  version: number;
  threshold: number;
  keys: FirmwareKeyJson[];
  revoked: string[];
}

export interface FirmwareKeyJson {
  kid: string;
  alg: string;
  /** base64url, unpadded. */
  publicKey: string;
}

export function keySetToJson(keySet: KeySet): KeySetJson {
  return { version: keySet.version, threshold: keySet.threshold, keys: keySet.keys.map(firmwareKeyToJson), revoked: [...keySet.revoked] };
}

export function firmwareKeyToJson(key: FirmwareKey): FirmwareKeyJson {
  return { kid: key.kid, alg: key.alg, publicKey: toBase64Url(key.publicKey) };
}

function keysetFail(detail: string): never {
  throw new ProvenanceError("firmware_keyset_malformed", detail);
}

/** One public key as `snapseal firmware keygen` and `snapseal cosigner init` write it. */
export function firmwareKeyFromJson(json: unknown, name = "key"): FirmwareKey {
  const { kid, alg, publicKey } = (json ?? {}) as Partial<Record<keyof FirmwareKeyJson, unknown>>;
  if (typeof kid !== "string" || typeof alg !== "string" || typeof publicKey !== "string" || publicKey.length > 128) {
    keysetFail(`${name} must be {kid, alg, publicKey} with a base64url public key`);
  }
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(publicKey);
  } catch {
    return keysetFail(`${name}.publicKey is not base64url`);
  }
  const key = { kid, alg: alg as typeof FIRMWARE_KEY_ALG, publicKey: bytes };
  if (key.alg !== FIRMWARE_KEY_ALG) keysetFail(`${name} has alg ${alg}, not ${FIRMWARE_KEY_ALG}`);
  if (bytes.length !== ED25519_PUBLIC_KEY_BYTES || kid !== ed25519KeyId(bytes)) keysetFail(`${name}.kid is not the SHA-256 of a 32-byte Ed25519 public key`);
  return key;
}

export function keySetFromJson(json: unknown): KeySet {
  const { version, threshold, keys, revoked } = (json ?? {}) as Partial<Record<keyof KeySetJson, unknown>>;
  if (typeof version !== "number" || typeof threshold !== "number") keysetFail("version and threshold must be numbers");
  if (!Array.isArray(keys) || keys.length > MAX_KEYS) keysetFail(`keys must be an array of at most ${MAX_KEYS} keys`);
  if (!Array.isArray(revoked) || revoked.length > MAX_REVOKED) keysetFail(`revoked must be an array of at most ${MAX_REVOKED} key ids`);
  return checkKeySet(
    { version: version as number, threshold: threshold as number, keys: (keys as unknown[]).map((key, index) => firmwareKeyFromJson(key, `keys[${index}]`)), revoked: revoked as string[] },
    keysetFail,
  );
}

/** Parses trust JSON text (a file's contents), failing with firmware_keyset_malformed. */
export function parseKeySetJson(text: string): KeySet {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return keysetFail("not JSON");
  }
  return keySetFromJson(json);
}

/**
 * The design's role lists its two keys in one order, `[release key, co-signer
 * key]` (as initialKeySet, `firmware trust` and a rotation's key set write
 * them), so in a two-key set a key's position says whose it is. Larger key
 * sets name no holders.
 */
export function releaseAndCosignerKeys(keySet: KeySet): { release: FirmwareKey; cosigner: FirmwareKey } | undefined {
  const [release, cosigner, ...more] = keySet.keys;
  return release && cosigner && more.length === 0 ? { release, cosigner } : undefined;
}

/** A first key set (version 1), keys `[release key, co-signer key]`: both must sign. */
export function initialKeySet(keys: FirmwareKey[]): KeySet {
  return checkKeySet({ version: 1, threshold: keys.length, keys, revoked: [] }, keysetFail);
}
