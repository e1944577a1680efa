import { p256 } from "@noble/curves/nist.js";

/**
 * WebAuthn carries ECDSA signatures DER-encoded; WebCrypto speaks IEEE P1363
 * (r || s). WebCrypto also emits high-S signatures about half the time, which
 * strict verifiers (noble v2 among them) refuse, so everything we emit is low-S.
 */

export class SignatureEncodingError extends Error {
  override readonly name = "SignatureEncodingError";
}

const INTEGER = 0x02;
const SEQUENCE = 0x30;
const SCALAR_BYTES = 32;

/**
 * Reads Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 3279
 * §2.2.3) in strict DER: short-form lengths that match exactly, minimal
 * non-negative integers of at most 32 bytes, nothing after. It runs once per
 * verified record, where noble's general parser (via hex strings) cost a fifth
 * of the verifier's time; the tests hold the two to the same answers.
 */
export function derToRaw(der: Uint8Array): Uint8Array {
  if (der.length < 8 || der.length > 72) fail(`${der.length} bytes`);
  if (der[0] !== SEQUENCE || der[1] !== der.length - 2) fail("SEQUENCE header does not cover the signature exactly");
  const raw = new Uint8Array(2 * SCALAR_BYTES);
  let at = 2;
  for (const slot of [0, SCALAR_BYTES]) {
    if (at + 2 > der.length || der[at] !== INTEGER) fail("INTEGER expected");
    const length = der[at + 1]!;
    let start = at + 2;
    const end = start + length;
    if (length === 0 || end > der.length) fail("INTEGER length out of range");
    if (der[start]! & 0x80) fail("negative INTEGER");
    if (der[start] === 0x00) {
      if (length === 1 || !(der[start + 1]! & 0x80)) fail("INTEGER with a superfluous leading zero (or zero)");
      start++;
    }
    if (end - start > SCALAR_BYTES) fail("INTEGER longer than 32 bytes");
    raw.set(der.subarray(start, end), slot + SCALAR_BYTES - (end - start));
    at = end;
  }
  if (at !== der.length) fail("bytes after s");
  return raw;
}

function fail(reason: string): never {
  throw new SignatureEncodingError(`ECDSA signature is not strict DER: ${reason}`);
}

export function rawToLowSDer(raw: Uint8Array): Uint8Array {
  let signature = p256.Signature.fromBytes(raw, "compact");
  if (signature.hasHighS()) {
    signature = new p256.Signature(signature.r, p256.Point.Fn.ORDER - signature.s);
  }
  return signature.toBytes("der");
}
