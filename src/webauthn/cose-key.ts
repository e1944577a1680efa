import { p256 } from "@noble/curves/nist.js";
import { concatBytes } from "../bytes.ts";
import { type CborValue, decodeCanonical, encodeCanonical } from "../cbor/canonical.ts";

/** COSE_Key labels and values for an EC2 P-256 ES256 key (RFC 9052 §7, RFC 9053 §2.1, §7.1). */
const KTY = 1;
const ALG = 3;
const CRV = -1;
const X = -2;
const Y = -3;
const KTY_EC2 = 2;
const ALG_ES256 = -7;
const CRV_P256 = 1;

export const COSE_ALG_ES256 = ALG_ES256;

export class CoseKeyError extends Error {
  override readonly name = "CoseKeyError";
}

/** Encodes an uncompressed SEC1 P-256 point (0x04 || x || y) as a COSE_Key. */
export function encodeCoseP256(uncompressedPoint: Uint8Array): Uint8Array {
  if (uncompressedPoint.length !== 65 || uncompressedPoint[0] !== 0x04) throw new CoseKeyError("expected an uncompressed P-256 point");
  return encodeCanonical(
    new Map<number, CborValue>([
      [KTY, KTY_EC2],
      [ALG, ALG_ES256],
      [CRV, CRV_P256],
      [X, uncompressedPoint.slice(1, 33)],
      [Y, uncompressedPoint.slice(33, 65)],
    ]),
  );
}

/** Returns the uncompressed SEC1 point of a COSE EC2 P-256 key, checking it lies on the curve. */
export function decodeCoseP256(coseKey: Uint8Array): Uint8Array {
  let map: CborValue;
  try {
    map = decodeCanonical(coseKey, 256);
  } catch (error) {
    throw new CoseKeyError(`COSE key is not canonical CBOR: ${(error as Error).message}`);
  }
  if (!(map instanceof Map)) throw new CoseKeyError("COSE key is not a map");
  if (map.get(KTY) !== KTY_EC2 || map.get(ALG) !== ALG_ES256 || map.get(CRV) !== CRV_P256) {
    throw new CoseKeyError("COSE key is not EC2 / ES256 / P-256");
  }
  const x = map.get(X);
  const y = map.get(Y);
  if (!(x instanceof Uint8Array) || !(y instanceof Uint8Array) || x.length !== 32 || y.length !== 32) {
    throw new CoseKeyError("COSE key coordinates must be 32-byte strings");
  }
  const point = concatBytes(new Uint8Array([0x04]), x, y);
  if (!p256.utils.isValidPublicKey(point, false)) throw new CoseKeyError("COSE key is not a point on P-256");
  return point;
}
