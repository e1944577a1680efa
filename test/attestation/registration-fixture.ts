// Real keys and real certificates for the attestation tests: a vendor CA from the
// manufacturing code, devices certified by it, and registrations signed the way
// the camera's authenticator signs them (WebAuthn L3 §8.2 signing procedure).
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { concatBytes, utf8 } from "../../src/bytes.ts";
import type { CborValue } from "../../src/cbor/canonical.ts";
import { signEs256 } from "../../src/crypto/es256.ts";
import { sha256 } from "../../src/crypto/sha256.ts";
import { encodeAttestationObject } from "../../src/webauthn/attestation-object.ts";
import { Flags, encodeAuthenticatorData } from "../../src/webauthn/authenticator-data.ts";
import { encodeClientData } from "../../src/webauthn/client-data.ts";
import { COSE_ALG_ES256, encodeCoseP256 } from "../../src/webauthn/cose-key.ts";
import { ATTESTATION_OU, ID_FIDO_GEN_CE_AAGUID, aaguidExtensionValue } from "../../src/webauthn/verify-packed-attestation.ts";
import { issueAttestationCertificate } from "../../device/manufacture/attestation-certificate.ts";
import { ECDSA_P256, ECDSA_SHA256 } from "../../src/crypto/es256.ts";
import { type VendorCa, createVendorCa } from "../../device/manufacture/vendor-ca.ts";

export const RP_ID = "verifier.example";
export const ORIGIN = "https://verifier.example";
export const AAGUID = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);

/** Something that can sign certificates or attestation statements. */
export interface KeyHolder {
  certificate: Uint8Array;
  privateKey: CryptoKey;
}

export async function vendorCa(vendor = "Snap Optics"): Promise<VendorCa> {
  return createVendorCa({ vendor, country: "DE" });
}

/** A camera as the factory makes it: its own attestation key and a certificate naming its serial. */
export async function manufacture(ca: VendorCa, opts: { serial: string; aaguid?: Uint8Array; validYears?: number }): Promise<KeyHolder> {
  const issued = await issueAttestationCertificate(ca, {
    serial: opts.serial,
    model: "SnapSeal One",
    aaguid: opts.aaguid ?? AAGUID,
    ...(opts.validYears === undefined ? {} : { validYears: opts.validYears }),
  });
  return { certificate: issued.certificate, privateKey: await importSigningKey(issued.privateKeyPkcs8) };
}

export function importSigningKey(pkcs8: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("pkcs8", pkcs8 as Uint8Array<ArrayBuffer>, ECDSA_P256, false, ["sign"]);
}

export async function generateKey(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(ECDSA_P256, true, ["sign", "verify"])) as CryptoKeyPair;
}

/** A hand-made certificate, for the shapes the manufacturing code rightly never produces. */
export async function certificate(opts: {
  issuer: KeyHolder;
  subject: x509.JsonNameParams;
  ca: boolean;
  pathLength?: number;
  aaguid?: { value: Uint8Array; critical: boolean };
  notBefore?: Date;
  notAfter?: Date;
}): Promise<KeyHolder> {
  const keys = await generateKey();
  const issuer = new x509.X509Certificate(opts.issuer.certificate as Uint8Array<ArrayBuffer>);
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(opts.ca, opts.pathLength, true)];
  if (opts.ca) extensions.push(new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true));
  if (opts.aaguid) {
    const value = aaguidExtensionValue(opts.aaguid.value) as Uint8Array<ArrayBuffer>;
    extensions.push(new x509.Extension(ID_FIDO_GEN_CE_AAGUID, opts.aaguid.critical, value));
  }
  const created = await x509.X509CertificateGenerator.create({
    subject: new x509.Name(opts.subject),
    issuer: issuer.subjectName,
    publicKey: keys.publicKey,
    signingKey: opts.issuer.privateKey,
    signingAlgorithm: ECDSA_SHA256,
    notBefore: opts.notBefore ?? new Date(Date.now() - 60_000),
    notAfter: opts.notAfter ?? new Date(Date.now() + 365 * 24 * 3600_000),
    extensions,
  });
  return { certificate: new Uint8Array(created.rawData), privateKey: keys.privateKey };
}

/** The subject §8.2.1 asks for, with a device serial; `withoutOu` drops the Subject-OU. */
export function attestationSubject(serial: string, opts: { withoutOu?: boolean } = {}): x509.JsonNameParams {
  return [
    { C: [{ printableString: "DE" }] },
    { O: [{ utf8String: "Snap Optics" }] },
    ...(opts.withoutOu ? [] : [{ OU: [{ utf8String: ATTESTATION_OU }] }]),
    { CN: [{ utf8String: "SnapSeal One Attestation" }] },
    { "2.5.4.5": [{ printableString: serial }] },
  ];
}

export interface Registration {
  attestationObject: Uint8Array;
  authData: Uint8Array;
  clientDataJSON: Uint8Array;
  clientDataHash: Uint8Array;
  credentialId: Uint8Array;
  credentialPublicKey: Uint8Array;
}

/**
 * What the camera sends to register: a fresh credential key, authenticatorData
 * with AT set and UP = UV = 0, and a packed statement signed by `device`.
 * The options reproduce each way an attacker or a broken device gets it wrong.
 */
export async function register(
  device: KeyHolder,
  opts: {
    x5c?: Uint8Array[] | "omit";
    fmt?: string;
    alg?: number;
    aaguid?: Uint8Array;
    signWith?: CryptoKey;
    alterAfterSigning?: (authData: Uint8Array) => Uint8Array;
    challenge?: Uint8Array;
  } = {},
): Promise<Registration> {
  const credential = await generateKey();
  const credentialPublicKey = encodeCoseP256(new Uint8Array(await crypto.subtle.exportKey("raw", credential.publicKey)));
  const credentialId = crypto.getRandomValues(new Uint8Array(32));
  const authData = encodeAuthenticatorData({
    rpIdHash: await sha256(utf8(RP_ID)),
    flags: Flags.AT,
    signCount: 0,
    attestedCredentialData: { aaguid: opts.aaguid ?? AAGUID, credentialId, credentialPublicKey },
  });
  const clientDataJSON = encodeClientData("webauthn.create", opts.challenge ?? crypto.getRandomValues(new Uint8Array(32)), ORIGIN);
  const clientDataHash = await sha256(clientDataJSON);
  const sig = await signEs256(opts.signWith ?? device.privateKey, concatBytes(authData, clientDataHash));
  const attStmt: Record<string, CborValue> = { alg: opts.alg ?? COSE_ALG_ES256, sig };
  if (opts.x5c !== "omit") attStmt.x5c = opts.x5c ?? [device.certificate];
  const sentAuthData = opts.alterAfterSigning ? opts.alterAfterSigning(authData) : authData;
  return {
    attestationObject: encodeAttestationObject({ fmt: opts.fmt ?? "packed", attStmt, authData: sentAuthData }),
    authData: sentAuthData,
    clientDataJSON,
    clientDataHash,
    credentialId,
    credentialPublicKey,
  };
}
