import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { toHex } from "../bytes.ts";

/**
 * Ed25519 (RFC 8032) through @noble/curves, pure JS, so the same code signs in
 * the release tool and the co-signer and verifies on the camera and in the
 * verifier under Node, Deno or a browser.
 */
export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

export interface Ed25519KeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

export function newEd25519KeyPair(): Ed25519KeyPair {
  return ed25519.keygen();
}

export function ed25519PublicKeyOf(secretKey: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(secretKey);
}

export function signEd25519(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return ed25519.sign(message, secretKey);
}

/**
 * Strict RFC 8032 verification (zip215 off: no non-canonical points or scalars),
 * so one message has one valid signature encoding per key. Malformed keys or
 * signatures are a failed verification, never an exception.
 */
export function verifyEd25519(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): boolean {
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES || signature.length !== ED25519_SIGNATURE_BYTES) return false;
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** A key id: lowercase hex SHA-256 of the 32-byte public key (as TUF names keys by a hash). */
export function ed25519KeyId(publicKey: Uint8Array): string {
  return toHex(sha256(publicKey));
}
