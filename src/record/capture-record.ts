import { type CborValue, encodeCanonical } from "../cbor/canonical.ts";
import { shapeOf } from "../cbor/shape.ts";
import { sha256 } from "../crypto/sha256.ts";
import { toBase64Url } from "../bytes.ts";
import { ProvenanceError } from "../errors.ts";

/**
 * The capture record: a standard WebAuthn assertion (authenticatorData,
 * clientDataJSON, signature) plus the payload its challenge commits to.
 * This is exactly what sits in the photo's EXIF, behind the MakerNote magic.
 */
export interface CaptureRecord {
  v: 1;
  credentialId: Uint8Array;
  payload: Uint8Array;
  authenticatorData: Uint8Array;
  clientDataJSON: Uint8Array;
  signature: Uint8Array;
}

/** Bounds that keep a hostile record cheap to reject; a real one is about 700 bytes. */
export const RECORD_MAX_BYTES = 16 * 1024;
const CLIENT_DATA_MAX_BYTES = 1024;
const CREDENTIAL_ID_MAX_BYTES = 1023;

const shape = shapeOf("record_malformed");

export function encodeRecord(record: CaptureRecord): Uint8Array {
  return encodeCanonical(
    new Map<string, CborValue>([
      ["v", record.v],
      ["credentialId", record.credentialId],
      ["payload", record.payload],
      ["authenticatorData", record.authenticatorData],
      ["clientDataJSON", record.clientDataJSON],
      ["signature", record.signature],
    ]),
  );
}

export function decodeRecord(bytes: Uint8Array): CaptureRecord {
  if (bytes.length > RECORD_MAX_BYTES) throw new ProvenanceError("record_too_large", `${bytes.length} bytes`);
  const value = shape.decode(bytes, RECORD_MAX_BYTES);
  const map = shape.map(value, "record", ["v", "credentialId", "payload", "authenticatorData", "clientDataJSON", "signature"]);
  if (map.get("v") !== 1) throw new ProvenanceError("record_version_unsupported", `v=${String(map.get("v"))}`);
  return {
    v: 1,
    credentialId: shape.bytes(map.get("credentialId"), "credentialId", { min: 16, max: CREDENTIAL_ID_MAX_BYTES }),
    payload: shape.bytes(map.get("payload"), "payload", { min: 1 }),
    authenticatorData: shape.bytes(map.get("authenticatorData"), "authenticatorData", { min: 37, max: 37 }),
    clientDataJSON: shape.bytes(map.get("clientDataJSON"), "clientDataJSON", { min: 2, max: CLIENT_DATA_MAX_BYTES }),
    signature: shape.bytes(map.get("signature"), "signature", { min: 8, max: 72 }),
  };
}

/** The identity of a record: what the next record's `prev` names and what capture ids derive from. */
export function recordHash(encodedRecord: Uint8Array): Promise<Uint8Array> {
  return sha256(encodedRecord);
}

/** What captureIdFor writes: 18 bytes in base64url, 24 characters. For routes and pages that take one. */
export const CAPTURE_ID_PATTERN = "[A-Za-z0-9_-]{24}";
export const CAPTURE_ID = new RegExp(`^${CAPTURE_ID_PATTERN}$`);

/** A recorded capture's public id: the first 18 bytes of its record hash, base64url. */
export function captureIdFor(recordHash: Uint8Array): string {
  return toBase64Url(recordHash.subarray(0, 18));
}
