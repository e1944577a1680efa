import { derToRaw, rawToLowSDer } from "./p256-signature.ts";
import { toHex } from "../bytes.ts";

/** WebCrypto algorithm parameters for P-256 keys and ES256 signatures. */
export const ECDSA_P256 = { name: "ECDSA", namedCurve: "P-256" } as const;
export const ECDSA_SHA256 = { name: "ECDSA", hash: "SHA-256" } as const;

/**
 * Importing a key costs as much as verifying with it, and the same device keys
 * verify thousands of records, so imported keys are kept (bounded, oldest out).
 */
const MAX_CACHED_KEYS = 10_000;
const importedKeys = new Map<string, Promise<CryptoKey>>();
/** The same point object (one credential record) skips even the hex key of the map. */
const importedByObject = new WeakMap<Uint8Array, Promise<CryptoKey>>();

export function importP256PublicKey(uncompressedPoint: Uint8Array): Promise<CryptoKey> {
  const known = importedByObject.get(uncompressedPoint);
  if (known) return known;
  const id = toHex(uncompressedPoint);
  let key = importedKeys.get(id);
  if (!key) {
    key = crypto.subtle.importKey("raw", uncompressedPoint as Uint8Array<ArrayBuffer>, ECDSA_P256, false, ["verify"]);
    key.catch(() => {
      importedKeys.delete(id);
      importedByObject.delete(uncompressedPoint);
    });
    if (importedKeys.size >= MAX_CACHED_KEYS) importedKeys.delete(importedKeys.keys().next().value!);
    importedKeys.set(id, key);
  }
  importedByObject.set(uncompressedPoint, key);
  return key;
}

export type Es256Verifier = (publicKey: CryptoKey, derSignature: Uint8Array, data: Uint8Array) => Promise<boolean>;
let nativeVerifier: Es256Verifier | undefined;

/** For runtime entry points only (edge/node-es256.ts): a native verifier that takes the key and DER as they are. */
export function useNativeEs256Verifier(verifier: Es256Verifier): void {
  nativeVerifier = verifier;
}

/** Verifies a DER-encoded ES256 signature; malformed DER is simply a failed verification. */
export async function verifyEs256(publicKey: CryptoKey, derSignature: Uint8Array, data: Uint8Array): Promise<boolean> {
  if (nativeVerifier) return nativeVerifier(publicKey, derSignature, data);
  let raw: Uint8Array;
  try {
    raw = derToRaw(derSignature);
  } catch {
    return false;
  }
  return crypto.subtle.verify(ECDSA_SHA256, publicKey, raw as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>);
}

/** Signs with WebCrypto and returns the low-S DER form WebAuthn carries. */
export async function signEs256(privateKey: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
  const raw = new Uint8Array(await crypto.subtle.sign(ECDSA_SHA256, privateKey, data as Uint8Array<ArrayBuffer>));
  return rawToLowSDer(raw);
}
