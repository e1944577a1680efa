// @peculiar/x509 resolves its ASN.1 schemas through decorator metadata, so the
// polyfill has to run before the library module is evaluated.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { ATTESTATION_OU, ID_FIDO_GEN_CE_AAGUID, aaguidExtensionValue } from "../../src/webauthn/verify-packed-attestation.ts";
import { ECDSA_P256, ECDSA_SHA256 } from "../../src/crypto/es256.ts";
import { type VendorCa, checkNameLength, randomCertificateSerial, validityFromNow } from "./vendor-ca.ts";

export interface AttestationCertificateOptions {
  /** The device serial number, written to the subject's serialNumber attribute. */
  serial: string;
  model: string;
  aaguid: Uint8Array;
  validYears?: number;
}

export interface IssuedAttestationCertificate {
  /** DER */
  certificate: Uint8Array;
  privateKeyPkcs8: Uint8Array;
}

const DEFAULT_VALID_YEARS = 20;
/** X.520 serialNumber is a PrintableString of 1 to 64 characters. */
const PRINTABLE_SERIAL = /^[A-Za-z0-9 '()+,\-./:=?]{1,64}$/;

/**
 * Makes a device's own attestation key and certificate (seeds/002): unlike the
 * batch certificates of consumer authenticators, each one names a single device
 * by its serial number, because here the verifier wants to know which camera it is.
 * The subject meets WebAuthn L3 §8.2.1, so the certificate verifies as packed attestation.
 */
export async function issueAttestationCertificate(
  ca: VendorCa,
  opts: AttestationCertificateOptions,
): Promise<IssuedAttestationCertificate> {
  if (!PRINTABLE_SERIAL.test(opts.serial)) throw new RangeError("serial must be 1 to 64 PrintableString characters");
  const commonName = `${opts.model} Attestation`;
  checkNameLength(commonName, "attestation CN");
  const aaguidExtension = new x509.Extension(ID_FIDO_GEN_CE_AAGUID, false, aaguidExtensionValue(opts.aaguid) as Uint8Array<ArrayBuffer>);

  const caCertificate = new x509.X509Certificate(ca.certificate as Uint8Array<ArrayBuffer>);
  const keys = (await crypto.subtle.generateKey(ECDSA_P256, true, ["sign", "verify"])) as CryptoKeyPair;
  const validity = validityFromNow(opts.validYears ?? DEFAULT_VALID_YEARS);
  // A certificate outliving its issuer would never verify in its last years anyway.
  const notAfter = validity.notAfter < caCertificate.notAfter ? validity.notAfter : caCertificate.notAfter;

  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomCertificateSerial(),
    // A Name built from JSON, so each attribute gets the string type §8.2.1 names.
    subject: new x509.Name([
      { C: [{ printableString: ca.country }] },
      { O: [{ utf8String: ca.vendor }] },
      { OU: [{ utf8String: ATTESTATION_OU }] },
      { CN: [{ utf8String: commonName }] },
      // serialNumber (2.5.4.5) by OID: @peculiar/x509's "SN" is surname.
      { "2.5.4.5": [{ printableString: opts.serial }] },
    ]),
    issuer: caCertificate.subjectName,
    publicKey: keys.publicKey,
    signingKey: ca.privateKey,
    signingAlgorithm: ECDSA_SHA256,
    notBefore: validity.notBefore,
    notAfter,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      aaguidExtension,
      // Derived from the root's key as its subject key identifier was (SHA-1 of the key, RFC 5280 §4.2.1.2).
      await x509.AuthorityKeyIdentifierExtension.create(caCertificate.publicKey),
    ],
  });
  return {
    certificate: new Uint8Array(certificate.rawData),
    privateKeyPkcs8: new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey)),
  };
}
