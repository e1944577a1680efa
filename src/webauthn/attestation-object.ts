import { type CborValue, encodeCanonical } from "../cbor/canonical.ts";
import { shapeOf } from "../cbor/shape.ts";
import { ProvenanceError } from "../errors.ts";

/**
 * The attestation object of WebAuthn L3 §6.5: `{ fmt, attStmt, authData }`.
 * Decoded, attStmt is a map of whatever the sender put there; each attestation
 * statement format gives it its own syntax (§8), checked by that format's verifier.
 */
export interface AttestationObject {
  fmt: string;
  attStmt: Map<string, CborValue>;
  authData: Uint8Array;
}

/** What an authenticator writes: it knows its statement's members, so a record will do. */
export interface AttestationObjectFields {
  fmt: string;
  attStmt: Readonly<Record<string, CborValue>>;
  authData: Uint8Array;
}

/**
 * A packed attestation with a two-certificate chain is about 1.5 KiB; 16 KiB
 * leaves room for longer chains while bounding what an unauthenticated
 * registration request can make us parse.
 */
export const MAX_ATTESTATION_OBJECT_BYTES = 16 * 1024;

/** §8.1: format identifiers are at most 32 octets. */
const MAX_FMT_LENGTH = 32;

const shape = shapeOf("attestation_malformed");

export function encodeAttestationObject(object: AttestationObjectFields): Uint8Array {
  return encodeCanonical(
    new Map<string, CborValue>([
      ["fmt", object.fmt],
      ["attStmt", new Map(Object.entries(object.attStmt))],
      ["authData", object.authData],
    ]),
  );
}

/**
 * Decodes strictly: deterministic CBOR only (CTAP2 canonical form, which is what
 * authenticators emit), exactly the three members, attStmt keyed by text.
 */
export function decodeAttestationObject(bytes: Uint8Array): AttestationObject {
  const decoded = shape.decode(bytes, MAX_ATTESTATION_OBJECT_BYTES);
  const map = shape.map(decoded, "attestationObject", ["fmt", "attStmt", "authData"]);
  const fmt = shape.text(map.get("fmt"), "fmt", MAX_FMT_LENGTH);
  const attStmt = map.get("attStmt");
  if (!(attStmt instanceof Map)) throw new ProvenanceError("attestation_malformed", "attStmt must be a map");
  for (const key of attStmt.keys()) {
    if (typeof key !== "string") throw new ProvenanceError("attestation_malformed", "attStmt keys must be text");
  }
  return {
    fmt,
    attStmt: attStmt as Map<string, CborValue>,
    authData: shape.bytes(map.get("authData"), "authData"),
  };
}
