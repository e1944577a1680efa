// @peculiar/x509 resolves its ASN.1 schemas through decorator metadata, so the
// polyfill has to run before the library module is evaluated.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { bytesEqual, concatBytes } from "../bytes.ts";
import type { CborValue } from "../cbor/canonical.ts";
import { shapeOf } from "../cbor/shape.ts";
import { ECDSA_P256, verifyEs256 } from "../crypto/es256.ts";
import { ProvenanceError } from "../errors.ts";
import { decodeAttestationObject } from "./attestation-object.ts";
import {
  type AttestedCredentialData,
  type AuthenticatorData,
  AuthenticatorDataError,
  Flags,
  parseAuthenticatorData,
} from "./authenticator-data.ts";
import { COSE_ALG_ES256, CoseKeyError, decodeCoseP256 } from "./cose-key.ts";

/** id-fido-gen-ce-aaguid: the AAGUID of the authenticator model, in its attestation certificate. */
export const ID_FIDO_GEN_CE_AAGUID = "1.3.6.1.4.1.45724.1.1.4";

/** The literal Subject-OU that WebAuthn L3 §8.2.1 requires of packed attestation certificates. */
export const ATTESTATION_OU = "Authenticator Attestation";

/**
 * The extnValue of id-fido-gen-ce-aaguid: the DER of an OCTET STRING holding the
 * 16 AAGUID bytes (tag 0x04, length 0x10). DER has one encoding per value, so the
 * issuer builds exactly these bytes and the verifier compares against them.
 */
export function aaguidExtensionValue(aaguid: Uint8Array): Uint8Array {
  if (aaguid.length !== 16) throw new TypeError("AAGUID must be 16 bytes");
  return concatBytes(new Uint8Array([0x04, 0x10]), aaguid);
}

/** Subject attributes of the attestation certificate; serialNumber names the individual device. */
export interface AttestationSubject {
  serialNumber?: string;
  commonName?: string;
  organization?: string;
  organizationalUnit?: string;
  country?: string;
}

export interface VerifiedAttestation {
  authenticatorData: AuthenticatorData;
  credentialId: Uint8Array;
  /** The COSE_Key exactly as it appears in authenticatorData. */
  credentialPublicKey: Uint8Array;
  aaguid: Uint8Array;
  /** DER of x5c[0]. */
  attestationCertificate: Uint8Array;
  subject: AttestationSubject;
  /** Issuer DN of the attestation certificate (RFC 4514 string form). */
  issuer: string;
}

export interface PackedAttestationInput {
  attestationObject: Uint8Array;
  /** SHA-256 of clientDataJSON. */
  clientDataHash: Uint8Array;
  /** DER certificates of the manufacturer roots this verifier trusts. */
  trustedRoots: Uint8Array[];
  now: Date;
}

/**
 * Verifies a packed attestation with an x5c chain (WebAuthn L3 §8.2) and its
 * trust path to a manufacturer root (§7.1). It covers the attestation steps of
 * the registration ceremony; clientData, rpIdHash and challenge are the
 * caller's, as is refusing an already registered credential ID.
 */
export async function verifyPackedAttestation(input: PackedAttestationInput): Promise<VerifiedAttestation> {
  if (input.clientDataHash.length !== 32) throw new TypeError("clientDataHash must be the 32-byte SHA-256 of clientDataJSON");
  // §7.1 "obtain a list of acceptable trust anchors ... from a trusted source or from policy":
  // the manufacturer roots the caller configured. A root that does not parse is a
  // configuration error, so it throws before any verdict on the device.
  const roots = input.trustedRoots.map(parseTrustedRoot);

  // §7.1 "Perform CBOR decoding on the attestationObject field ... to obtain the attestation
  // statement format fmt, the authenticator data authData, and the attestation statement attStmt."
  const { fmt, attStmt, authData } = decodeAttestationObject(input.attestationObject);

  // §7.1 "Determine the attestation statement format by performing a USASCII case-sensitive
  // match on fmt": packed is the only format whose certificate can name a device.
  if (fmt !== "packed") throw new ProvenanceError("attestation_format_unsupported", `fmt ${JSON.stringify(fmt)} is not "packed"`);

  // §7.1 "Verify that the alg parameter in the credential public key in authData matches ...
  // pubKeyCredParams" (ours is ES256 only), and "Verify that the credentialId is ≤ 1023 bytes".
  const { authenticatorData, attested } = readAttestedAuthenticatorData(authData);

  // §8.2 verification procedure, step 1: attStmt conforms to packedStmtFormat.
  const statement = readPackedStatement(attStmt);

  // §8.2 step 2 (x5c present), first bullet: sig is a valid signature over
  // authenticatorData || clientDataHash with the attestation public key in attestnCert, using alg.
  const attestnCert = statement.x5c[0];
  const attestationKey = await importAttestationKey(attestnCert);
  if (!(await verifyEs256(attestationKey, statement.sig, concatBytes(authData, input.clientDataHash)))) {
    throw new ProvenanceError("attestation_signature_invalid", "sig does not verify with the attestation certificate's key");
  }

  // §8.2 step 2, second bullet: attestnCert meets §8.2.1.
  const subject = checkCertificateRequirements(attestnCert);

  // §8.2 step 2, third bullet: id-fido-gen-ce-aaguid, when present, matches the aaguid in authenticatorData.
  checkAaguidExtension(attestnCert, attested.aaguid);

  // §7.1 "Assess the attestation trustworthiness": the attestation public key must chain up
  // to an acceptable root certificate, or be one.
  await checkTrustPath(statement.x5c, roots, input.now);

  return {
    authenticatorData,
    credentialId: attested.credentialId,
    credentialPublicKey: attested.credentialPublicKey,
    aaguid: attested.aaguid,
    attestationCertificate: new Uint8Array(attestnCert.rawData),
    subject,
    issuer: attestnCert.issuer,
  };
}

/**
 * @peculiar/x509 parses the certificate version but does not expose it; its ASN.1
 * model is protected, which a subclass may read.
 */
class Certificate extends x509.X509Certificate {
  get version(): number {
    return this.asn.tbsCertificate.version;
  }
}

/** ASN.1 Version value of an X.509 v3 certificate. */
const X509_V3 = 2;

/** Attribute OIDs (X.520). @peculiar/x509's "SN" is surname, not serialNumber, so OIDs are spelled out. */
const Oid = {
  country: "2.5.4.6",
  organization: "2.5.4.10",
  organizationalUnit: "2.5.4.11",
  commonName: "2.5.4.3",
  serialNumber: "2.5.4.5",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
} as const;

/** Extensions whose meaning path validation acts on; any other marked critical refuses the chain (RFC 5280 §4.2). */
const UNDERSTOOD_CRITICAL_EXTENSIONS: ReadonlySet<string> = new Set([Oid.basicConstraints, Oid.keyUsage]);

const malformed = shapeOf("attestation_malformed");

function parseTrustedRoot(der: Uint8Array, index: number): Certificate {
  try {
    return new Certificate(der as Uint8Array<ArrayBuffer>);
  } catch {
    throw new TypeError(`trustedRoots[${index}] is not a DER X.509 certificate`);
  }
}

function readAttestedAuthenticatorData(authData: Uint8Array): {
  authenticatorData: AuthenticatorData;
  attested: AttestedCredentialData;
} {
  let authenticatorData: AuthenticatorData;
  try {
    authenticatorData = parseAuthenticatorData(authData);
  } catch (error) {
    if (error instanceof AuthenticatorDataError) throw new ProvenanceError("attestation_malformed", `authData: ${error.message}`);
    throw error;
  }
  const attested = authenticatorData.attestedCredentialData;
  if (!(authenticatorData.flags & Flags.AT) || !attested) {
    throw new ProvenanceError("attestation_malformed", "authData carries no attested credential data (AT flag clear)");
  }
  try {
    decodeCoseP256(attested.credentialPublicKey);
  } catch (error) {
    if (error instanceof CoseKeyError) throw new ProvenanceError("attestation_malformed", `credential public key: ${error.message}`);
    throw error;
  }
  return { authenticatorData, attested };
}

interface PackedStatement {
  sig: Uint8Array;
  /** attestnCert first, then the CA certificates that lead towards a root. */
  x5c: [Certificate, ...Certificate[]];
}

function readPackedStatement(attStmt: Map<string, CborValue>): PackedStatement {
  const map = malformed.map(attStmt, "attStmt", ["alg", "sig"], ["x5c"]);
  const alg = malformed.int(map.get("alg"), "attStmt.alg", 2 ** 31);
  const sig = malformed.bytes(map.get("sig"), "attStmt.sig", { min: 1, max: 256 });
  const x5c = map.get("x5c");

  // §8.2 step 3: without x5c the statement is a self attestation, signed by the credential key
  // itself. §7.1 leaves accepting it to RP policy; ours refuses, since it proves nothing about
  // which device, or whose, made the key.
  if (x5c === undefined) {
    throw new ProvenanceError("attestation_format_unsupported", "self attestation (packed without x5c) is refused");
  }
  if (alg !== COSE_ALG_ES256) {
    throw new ProvenanceError("attestation_format_unsupported", `attStmt.alg ${alg} is not ES256 (-7)`);
  }
  if (!Array.isArray(x5c) || x5c.length === 0) throw new ProvenanceError("attestation_malformed", "attStmt.x5c must be a non-empty array");
  const certificates = x5c.map((item, index) => {
    const der = malformed.bytes(item, `attStmt.x5c[${index}]`, { min: 1 });
    try {
      return new Certificate(der as Uint8Array<ArrayBuffer>);
    } catch {
      throw new ProvenanceError("attestation_malformed", `attStmt.x5c[${index}] is not a DER X.509 certificate`);
    }
  });
  return { sig, x5c: certificates as PackedStatement["x5c"] };
}

/** ES256 means ECDSA over P-256: a certificate with any other key cannot have made sig. */
async function importAttestationKey(certificate: Certificate): Promise<CryptoKey> {
  try {
    return await crypto.subtle.importKey("spki", certificate.publicKey.rawData, ECDSA_P256, false, ["verify"]);
  } catch {
    throw new ProvenanceError("attestation_certificate_invalid", "the attestation certificate's key is not an ECDSA P-256 key");
  }
}

/** §8.2.1 Certificate Requirements for Packed Attestation Statements. */
function checkCertificateRequirements(certificate: Certificate): AttestationSubject {
  const invalid = (detail: string) => new ProvenanceError("attestation_certificate_invalid", detail);

  // "Version MUST be set to 3 (which is indicated by an ASN.1 INTEGER with value 2)."
  if (certificate.version !== X509_V3) throw invalid(`certificate version is ${certificate.version + 1}, not 3`);

  // "Subject field MUST be set to: Subject-C, Subject-O, Subject-OU (the literal string
  // 'Authenticator Attestation'), Subject-CN". Each once: a repeated attribute would leave
  // two answers to "which vendor" or "which device".
  const subjectName = certificate.subjectName;
  const attribute = (oid: string, label: string): string | undefined => {
    const values = subjectName.getField(oid);
    if (values.length > 1) throw invalid(`subject has ${values.length} ${label} attributes`);
    return values[0];
  };
  const subject: AttestationSubject = {
    country: attribute(Oid.country, "C"),
    organization: attribute(Oid.organization, "O"),
    organizationalUnit: attribute(Oid.organizationalUnit, "OU"),
    commonName: attribute(Oid.commonName, "CN"),
    serialNumber: attribute(Oid.serialNumber, "serialNumber"),
  };
  // Subject-C is an ISO 3166 (alpha-2) code.
  if (!subject.country || !/^[A-Z]{2}$/.test(subject.country)) throw invalid("subject C is not a two-letter ISO 3166 code");
  if (!subject.organization) throw invalid("subject O is missing");
  if (subject.organizationalUnit !== ATTESTATION_OU) throw invalid(`subject OU is not "${ATTESTATION_OU}"`);
  if (!subject.commonName) throw invalid("subject CN is missing");

  // "The Basic Constraints extension MUST have the CA component set to false."
  const basicConstraints = certificate.getExtensions(x509.BasicConstraintsExtension);
  if (basicConstraints.length !== 1) throw invalid("the Basic Constraints extension must be present once");
  if (basicConstraints[0]!.ca) throw invalid("Basic Constraints CA is true: a CA certificate cannot be an attestation certificate");

  return subject;
}

/**
 * §8.2 step 2: "If attestnCert contains an extension with OID 1.3.6.1.4.1.45724.1.1.4
 * (id-fido-gen-ce-aaguid) verify that the value of this extension matches the aaguid in
 * authenticatorData", and §8.2.1: "The extension MUST NOT be marked as critical."
 */
function checkAaguidExtension(certificate: Certificate, aaguid: Uint8Array): void {
  const extensions = certificate.getExtensions(ID_FIDO_GEN_CE_AAGUID);
  if (extensions.length === 0) return;
  const invalid = (detail: string) => new ProvenanceError("attestation_certificate_invalid", detail);
  if (extensions.length > 1) throw invalid("id-fido-gen-ce-aaguid appears more than once");
  const extension = extensions[0]!;
  if (extension.critical) throw invalid("id-fido-gen-ce-aaguid is marked critical");
  if (!bytesEqual(new Uint8Array(extension.value), aaguidExtensionValue(aaguid))) {
    throw invalid("id-fido-gen-ce-aaguid does not equal the AAGUID in authenticatorData");
  }
}

/**
 * Path validation from x5c[0] to a trusted root (§7.1 "Assess the attestation
 * trustworthiness", with the RFC 5280 §6.1 checks that matter here): each
 * certificate is issued by the next, every issuer is a CA allowed to sign
 * certificates at that depth, and every certificate is valid at `now`.
 */
async function checkTrustPath(x5c: Certificate[], roots: Certificate[], now: Date): Promise<void> {
  const untrusted = (detail: string) => new ProvenanceError("attestation_chain_untrusted", detail);

  for (const [index, certificate] of x5c.entries()) {
    for (const extension of certificate.extensions) {
      if (extension.critical && !UNDERSTOOD_CRITICAL_EXTENSIONS.has(extension.type)) {
        throw untrusted(`x5c[${index}] has an unrecognised critical extension ${extension.type}`);
      }
    }
  }

  // Each x5c certificate must be issued by the one after it. `index` also counts the
  // CA certificates below the issuer, which its pathLenConstraint bounds.
  for (let index = 0; index + 1 < x5c.length; index++) {
    if (!(await isIssuedBy(x5c[index]!, x5c[index + 1]!))) throw untrusted(`x5c[${index}] is not issued by x5c[${index + 1}]`);
    checkIssuerMayIssue(x5c[index + 1]!, index, untrusted);
  }

  // The last x5c certificate must be a trusted root itself, or be issued by one.
  const last = x5c[x5c.length - 1]!;
  const path = [...x5c];
  if (!roots.some((root) => bytesEqual(new Uint8Array(root.rawData), new Uint8Array(last.rawData)))) {
    const anchor = await findIssuer(last, roots);
    if (!anchor) throw untrusted(`no trusted root issued "${last.issuer}"`);
    checkIssuerMayIssue(anchor, x5c.length - 1, untrusted);
    path.push(anchor);
  }

  const time = now.getTime();
  for (const certificate of path) {
    if (time < certificate.notBefore.getTime() || time > certificate.notAfter.getTime()) {
      throw untrusted(`"${certificate.subject}" is not valid at ${now.toISOString()}`);
    }
  }
}

async function findIssuer(certificate: Certificate, candidates: Certificate[]): Promise<Certificate | undefined> {
  for (const candidate of candidates) if (await isIssuedBy(certificate, candidate)) return candidate;
  return undefined;
}

/** The issuer's subject names the child's issuer (compared as DER), and its key verifies the child's signature. */
async function isIssuedBy(child: Certificate, issuer: Certificate): Promise<boolean> {
  if (!bytesEqual(new Uint8Array(child.issuerName.toArrayBuffer()), new Uint8Array(issuer.subjectName.toArrayBuffer()))) return false;
  try {
    return await child.verify({ publicKey: issuer.publicKey, signatureOnly: true });
  } catch {
    return false;
  }
}

/** RFC 5280 §6.1.4 (k), (l), (n): CA:true, within its path length, and keyCertSign if key usage is stated. */
function checkIssuerMayIssue(issuer: Certificate, caCertificatesBelow: number, untrusted: (detail: string) => ProvenanceError): void {
  const basicConstraints = issuer.getExtension(x509.BasicConstraintsExtension);
  if (!basicConstraints?.ca) throw untrusted(`issuer "${issuer.subject}" is not a CA`);
  if (basicConstraints.pathLength !== undefined && caCertificatesBelow > basicConstraints.pathLength) {
    throw untrusted(
      `issuer "${issuer.subject}" allows ${basicConstraints.pathLength} CA certificates below it, the path has ${caCertificatesBelow}`,
    );
  }
  const keyUsage = issuer.getExtension(x509.KeyUsagesExtension);
  if (keyUsage && !(keyUsage.usages & x509.KeyUsageFlags.keyCertSign)) {
    throw untrusted(`issuer "${issuer.subject}" may not sign certificates (no keyCertSign)`);
  }
}
