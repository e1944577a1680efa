import { concatBytes } from "../bytes.ts";
import { decodeCanonical } from "../cbor/canonical.ts";

/** Flag bits of authenticatorData (WebAuthn L3 §6.1). */
export const Flags = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40, ED: 0x80 } as const;

export interface AttestedCredentialData {
  aaguid: Uint8Array;
  credentialId: Uint8Array;
  /** The COSE_Key exactly as it appears in authenticatorData. */
  credentialPublicKey: Uint8Array;
}

export interface AuthenticatorData {
  rpIdHash: Uint8Array;
  flags: number;
  signCount: number;
  attestedCredentialData?: AttestedCredentialData;
}

export class AuthenticatorDataError extends Error {
  override readonly name = "AuthenticatorDataError";
}

const MAX_CREDENTIAL_ID_LENGTH = 1023; // WebAuthn L3 §5.8.3 bound on credential IDs.

export function encodeAuthenticatorData(data: AuthenticatorData): Uint8Array {
  if (data.rpIdHash.length !== 32) throw new AuthenticatorDataError("rpIdHash must be 32 bytes");
  if (!Number.isInteger(data.signCount) || data.signCount < 0 || data.signCount > 0xffffffff) {
    throw new AuthenticatorDataError("signCount must be a u32");
  }
  const head = new Uint8Array(37);
  head.set(data.rpIdHash, 0);
  head[32] = data.flags;
  new DataView(head.buffer).setUint32(33, data.signCount, false);
  const attested = data.attestedCredentialData;
  if (!attested) return head;
  if (attested.aaguid.length !== 16) throw new AuthenticatorDataError("AAGUID must be 16 bytes");
  const idLength = new Uint8Array(2);
  new DataView(idLength.buffer).setUint16(0, attested.credentialId.length, false);
  return concatBytes(head, attested.aaguid, idLength, attested.credentialId, attested.credentialPublicKey);
}

/**
 * Parses authenticatorData (WebAuthn L3 §6.1). Extensions are not part of our
 * profile: ED set, or any byte left over, is refused rather than skipped.
 */
export function parseAuthenticatorData(bytes: Uint8Array): AuthenticatorData {
  if (bytes.length < 37) throw new AuthenticatorDataError("shorter than 37 bytes");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = bytes[32]!;
  if (flags & Flags.ED) throw new AuthenticatorDataError("extensions are not supported");
  const parsed: AuthenticatorData = {
    rpIdHash: bytes.slice(0, 32),
    flags,
    signCount: view.getUint32(33, false),
  };
  if (!(flags & Flags.AT)) {
    if (bytes.length !== 37) throw new AuthenticatorDataError("trailing bytes after signCount");
    return parsed;
  }
  if (bytes.length < 37 + 18) throw new AuthenticatorDataError("attested credential data truncated");
  const idLength = view.getUint16(53, false);
  if (idLength === 0 || idLength > MAX_CREDENTIAL_ID_LENGTH) throw new AuthenticatorDataError("credential ID length out of range");
  const keyStart = 55 + idLength;
  if (bytes.length <= keyStart) throw new AuthenticatorDataError("credential public key missing");
  const credentialPublicKey = bytes.slice(keyStart);
  try {
    // The COSE key is the last item: strict decoding proves it ends exactly at the end.
    decodeCanonical(credentialPublicKey, 1024);
  } catch (error) {
    throw new AuthenticatorDataError(`credential public key: ${(error as Error).message}`);
  }
  parsed.attestedCredentialData = {
    aaguid: bytes.slice(37, 53),
    credentialId: bytes.slice(55, keyStart),
    credentialPublicKey,
  };
  return parsed;
}
