import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from "../bytes.ts";

/**
 * Secrets at rest (TOTP seeds) in a versioned, authenticated JSON envelope, as
 * the encrypted-TOTP document of seeds/001 describes: the envelope names its
 * algorithm, key id, nonce and creation time, so keys can rotate and formats
 * can change without guessing. AES-256-GCM through WebCrypto; the header and a
 * caller-given context (e.g. the account the secret belongs to) are the
 * additional authenticated data, so an envelope cannot be moved to another
 * account or have its header rewritten.
 */
export interface SecretEnvelope {
  v: 1;
  alg: "A256GCM";
  kid: string;
  nonce: string;
  createdAt: string;
  ct: string;
}

export type SecretEnvelopeFailure = "envelope_malformed" | "key_unknown" | "decryption_failed";

export class SecretEnvelopeError extends Error {
  override readonly name = "SecretEnvelopeError";
  constructor(
    readonly failure: SecretEnvelopeFailure,
    message: string,
  ) {
    super(message);
  }
}

/** Encryption keys by id; `current` seals, every key opens. */
export interface KeyRing {
  current: string;
  keys: Map<string, CryptoKey>;
}

const KID = /^[A-Za-z0-9._-]{1,32}$/;

/**
 * Parses `kid:base64url-32-bytes[,kid:key…]`; the first key is the current one.
 * Throws with the reason, never echoing key material.
 */
export async function parseKeyRing(spec: string, settingName: string): Promise<KeyRing> {
  const entries = spec.split(",").map((entry) => entry.trim()).filter(Boolean);
  if (entries.length === 0) throw new Error(`${settingName} is empty: give at least one kid:key (32 random bytes, base64url)`);
  const keys = new Map<string, CryptoKey>();
  for (const [index, entry] of entries.entries()) {
    const separator = entry.indexOf(":");
    const kid = entry.slice(0, separator);
    if (separator < 0 || !KID.test(kid)) throw new Error(`${settingName}: entry ${index + 1} is not kid:key`);
    if (keys.has(kid)) throw new Error(`${settingName}: key id ${kid} appears twice`);
    let raw: Uint8Array;
    try {
      raw = fromBase64Url(entry.slice(separator + 1));
    } catch {
      throw new Error(`${settingName}: key ${kid} is not base64url`);
    }
    if (raw.length !== 32) throw new Error(`${settingName}: key ${kid} must be 32 bytes, got ${raw.length}`);
    keys.set(kid, await crypto.subtle.importKey("raw", raw as Uint8Array<ArrayBuffer>, "AES-GCM", false, ["encrypt", "decrypt"]));
  }
  return { current: entries[0]!.slice(0, entries[0]!.indexOf(":")), keys };
}

/** A new key in the `kid:key` form parseKeyRing reads. */
export function newKeyRingEntry(kid: string): string {
  if (!KID.test(kid)) throw new Error(`key id must match ${KID}`);
  return `${kid}:${toBase64Url(crypto.getRandomValues(new Uint8Array(32)))}`;
}

function additionalData(header: Omit<SecretEnvelope, "ct">, context: string): Uint8Array {
  return utf8(JSON.stringify([header.v, header.alg, header.kid, header.nonce, header.createdAt, context]));
}

export async function sealSecret(ring: KeyRing, plaintext: Uint8Array, context: string, now: number): Promise<string> {
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const header = { v: 1, alg: "A256GCM", kid: ring.current, nonce: toBase64Url(nonce), createdAt: new Date(now).toISOString() } as const;
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv: nonce, additionalData: additionalData(header, context) as Uint8Array<ArrayBuffer> },
    ring.keys.get(ring.current)!,
    plaintext as Uint8Array<ArrayBuffer>,
  );
  const envelope: SecretEnvelope = { ...header, ct: toBase64Url(new Uint8Array(ciphertext)) };
  return JSON.stringify(envelope);
}

export function readEnvelope(text: string): SecretEnvelope {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SecretEnvelopeError("envelope_malformed", "secret envelope is not JSON");
  }
  const envelope = value as Partial<SecretEnvelope> | null;
  if (
    !envelope ||
    envelope.v !== 1 ||
    envelope.alg !== "A256GCM" ||
    typeof envelope.kid !== "string" ||
    typeof envelope.nonce !== "string" ||
    typeof envelope.createdAt !== "string" ||
    typeof envelope.ct !== "string"
  ) {
    throw new SecretEnvelopeError("envelope_malformed", "secret envelope has an unknown version or shape");
  }
  return envelope as SecretEnvelope;
}

export async function openSecret(ring: KeyRing, text: string, context: string): Promise<Uint8Array> {
  const envelope = readEnvelope(text);
  const key = ring.keys.get(envelope.kid);
  if (!key) throw new SecretEnvelopeError("key_unknown", `no key with id ${envelope.kid} is configured`);
  try {
    const plaintext = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64Url(envelope.nonce) as Uint8Array<ArrayBuffer>, additionalData: additionalData(envelope, context) as Uint8Array<ArrayBuffer> },
      key,
      fromBase64Url(envelope.ct) as Uint8Array<ArrayBuffer>,
    );
    return new Uint8Array(plaintext);
  } catch {
    throw new SecretEnvelopeError("decryption_failed", `the secret does not open with key ${envelope.kid}: wrong key, or the envelope was altered`);
  }
}

/** The context of the known-plaintext envelope a service keeps per key, to catch a wrong key at start-up. */
export const KEY_CHECK_CONTEXT = "snapseal:key-check";
export const KEY_CHECK_PLAINTEXT = utf8("snapseal key check v1");

export function isKeyCheck(plaintext: Uint8Array): boolean {
  return fromUtf8(plaintext) === fromUtf8(KEY_CHECK_PLAINTEXT);
}
