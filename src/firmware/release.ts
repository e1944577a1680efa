import { type CborValue, encodeCanonical } from "../cbor/canonical.ts";
import { shapeOf } from "../cbor/shape.ts";
import { ED25519_SIGNATURE_BYTES, ed25519KeyId, ed25519PublicKeyOf, signEd25519 } from "../crypto/ed25519.ts";
import { ProvenanceError } from "../errors.ts";
import { type FirmwareManifest, MAX_MANIFEST_BYTES, decodeManifest } from "./manifest.ts";
import { isKeyId } from "./key-set.ts";

/**
 * A release is the manifest's exact bytes with the signatures over them:
 * `{ manifest: bytes, signatures: [{ kid, sig }] }`. Signatures sit outside the
 * bytes they sign, so the co-signer's signature can be added to the vendor's
 * without either touching the manifest.
 */
export interface FirmwareSignature {
  kid: string;
  sig: Uint8Array;
}

export interface FirmwareRelease {
  manifestBytes: Uint8Array;
  manifest: FirmwareManifest;
  signatures: FirmwareSignature[];
}

export const MAX_RELEASE_BYTES = 16 * 1024;
const MAX_SIGNATURES = 32;

const shape = shapeOf("firmware_manifest_malformed");

export function signManifest(secretKey: Uint8Array, manifestBytes: Uint8Array): FirmwareSignature {
  return { kid: ed25519KeyId(ed25519PublicKeyOf(secretKey)), sig: signEd25519(secretKey, manifestBytes) };
}

export function encodeRelease(manifestBytes: Uint8Array, signatures: FirmwareSignature[]): Uint8Array {
  return encodeCanonical(
    new Map<string, CborValue>([
      ["manifest", manifestBytes],
      ["signatures", signatures.map((signature) => new Map<string, CborValue>([["kid", signature.kid], ["sig", signature.sig]]))],
    ]),
  );
}

/** Strict decoding of a release and of the manifest inside it; says nothing yet about who signed it. */
export function decodeRelease(bytes: Uint8Array): FirmwareRelease {
  const map = shape.map(shape.decode(bytes, MAX_RELEASE_BYTES), "release", ["manifest", "signatures"]);
  const manifestBytes = shape.bytes(map.get("manifest"), "release.manifest", { max: MAX_MANIFEST_BYTES });
  const list = map.get("signatures");
  if (!Array.isArray(list) || list.length > MAX_SIGNATURES) throw new ProvenanceError("firmware_manifest_malformed", `release.signatures must be an array of at most ${MAX_SIGNATURES}`);
  const signatures = (list as CborValue[]).map((entry, index) => {
    const signature = shape.map(entry, `release.signatures[${index}]`, ["kid", "sig"]);
    const kid = signature.get("kid");
    if (!isKeyId(kid)) throw new ProvenanceError("firmware_manifest_malformed", `release.signatures[${index}].kid is not a key id`);
    return { kid, sig: shape.bytes(signature.get("sig"), `release.signatures[${index}].sig`, { exactly: ED25519_SIGNATURE_BYTES }) };
  });
  return { manifestBytes, manifest: decodeManifest(manifestBytes), signatures };
}
