import { p256 } from "@noble/curves/nist.js";

/**
 * WebAuthn carries ECDSA signatures DER-encoded; WebCrypto speaks IEEE P1363
 * (r || s). WebCrypto also emits high-S signatures about half the time, which
 * strict verifiers (noble v2 among them) refuse, so everything we emit is low-S.
 */
export function derToRaw(der: Uint8Array): Uint8Array {
  return p256.Signature.fromBytes(der, "der").toBytes("compact");
}

export function rawToLowSDer(raw: Uint8Array): Uint8Array {
  let signature = p256.Signature.fromBytes(raw, "compact");
  if (signature.hasHighS()) {
    signature = new p256.Signature(signature.r, p256.Point.Fn.ORDER - signature.s);
  }
  return signature.toBytes("der");
}
