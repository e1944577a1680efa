// @peculiar/x509 resolves its ASN.1 schemas through decorator metadata, so the
// polyfill has to run before the library module is evaluated.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { toHex } from "../../src/bytes.ts";
import { ECDSA_P256, ECDSA_SHA256 } from "../../src/crypto/es256.ts";

/** A manufacturer's attestation root: the certificate verifiers trust, and the key that issues device certificates. */
export interface VendorCa {
  vendor: string;
  country: string;
  /** DER of the self-signed root certificate. */
  certificate: Uint8Array;
  /** Extractable, so that saveVendorCa can write it out. */
  privateKey: CryptoKey;
}


export const ROOT_CERTIFICATE_FILE = "root.pem";
export const ROOT_KEY_FILE = "root.key.pem";

/** ISO 3166 user-assigned code, for a vendor that names no country. */
const DEFAULT_COUNTRY = "XX";
const DEFAULT_VALID_YEARS = 25;
/** X.520 upper bound of organizationName and commonName. */
const MAX_NAME_LENGTH = 64;

export async function createVendorCa(opts: { vendor: string; country?: string; validYears?: number }): Promise<VendorCa> {
  const country = opts.country ?? DEFAULT_COUNTRY;
  const commonName = `${opts.vendor} Attestation Root CA`;
  checkCountry(country);
  checkNameLength(opts.vendor, "vendor");
  checkNameLength(commonName, "root CN");
  const keys = (await crypto.subtle.generateKey(ECDSA_P256, true, ["sign", "verify"])) as CryptoKeyPair;
  const { notBefore, notAfter } = validityFromNow(opts.validYears ?? DEFAULT_VALID_YEARS);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomCertificateSerial(),
    name: new x509.Name([
      { C: [{ printableString: country }] },
      { O: [{ utf8String: opts.vendor }] },
      { CN: [{ utf8String: commonName }] },
    ]),
    keys,
    notBefore,
    notAfter,
    signingAlgorithm: ECDSA_SHA256,
    extensions: [
      // The root signs device certificates directly or through intermediates the vendor adds later.
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { vendor: opts.vendor, country, certificate: new Uint8Array(certificate.rawData), privateKey: keys.privateKey };
}

/**
 * Writes `<dir>/root.pem` and `<dir>/root.key.pem` (PKCS#8, mode 0600). Refuses to
 * overwrite either: replacing a vendor root would orphan every device it certified.
 */
export async function saveVendorCa(ca: VendorCa, dir: string): Promise<void> {
  const keyPem = x509.PemConverter.encode(await crypto.subtle.exportKey("pkcs8", ca.privateKey), "PRIVATE KEY");
  const certificatePem = x509.PemConverter.encode(ca.certificate as Uint8Array<ArrayBuffer>, "CERTIFICATE");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keyPath = join(dir, ROOT_KEY_FILE);
  await writeFile(keyPath, keyPem, { mode: 0o600, flag: "wx" });
  try {
    await writeFile(join(dir, ROOT_CERTIFICATE_FILE), certificatePem, { flag: "wx" });
  } catch (error) {
    // Never leave our key beside someone else's certificate.
    await rm(keyPath);
    throw error;
  }
}

/** Reads what saveVendorCa wrote; vendor and country come back from the certificate's subject. */
export async function loadVendorCa(dir: string): Promise<VendorCa> {
  const certificate = new x509.X509Certificate(await readFile(join(dir, ROOT_CERTIFICATE_FILE), "utf8"));
  const pkcs8 = x509.PemConverter.decodeFirst(await readFile(join(dir, ROOT_KEY_FILE), "utf8"));
  const privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, ECDSA_P256, true, ["sign"]);
  await checkKeyMatchesCertificate(privateKey, certificate);
  const [vendor] = certificate.subjectName.getField("O");
  const [country] = certificate.subjectName.getField("C");
  if (!vendor || !country) throw new Error(`${ROOT_CERTIFICATE_FILE} has no O or C in its subject`);
  return { vendor, country, certificate: new Uint8Array(certificate.rawData), privateKey };
}

/** A mismatched pair would issue device certificates that chain to nothing; better to fail at load. */
async function checkKeyMatchesCertificate(privateKey: CryptoKey, certificate: x509.X509Certificate): Promise<void> {
  const privateJwk = await crypto.subtle.exportKey("jwk", privateKey);
  const publicJwk = await crypto.subtle.exportKey("jwk", await certificate.publicKey.export(ECDSA_P256, ["verify"]));
  if (privateJwk.x !== publicJwk.x || privateJwk.y !== publicJwk.y) {
    throw new Error(`${ROOT_KEY_FILE} is not the key of ${ROOT_CERTIFICATE_FILE}`);
  }
}

/**
 * 16 random bytes as a positive DER INTEGER: the top bit clear keeps it positive,
 * the next bit set keeps it 16 bytes long without a leading zero.
 */
export function randomCertificateSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return toHex(bytes);
}

/**
 * Backdated a few minutes so a verifier whose clock runs slightly behind the
 * factory's still accepts a freshly made certificate.
 */
export function validityFromNow(validYears: number): { notBefore: Date; notAfter: Date } {
  if (!Number.isInteger(validYears) || validYears < 1 || validYears > 100) {
    throw new RangeError("validYears must be an integer from 1 to 100");
  }
  const now = Date.now();
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + validYears);
  return { notBefore: new Date(now - 5 * 60 * 1000), notAfter };
}

function checkCountry(country: string): void {
  if (!/^[A-Z]{2}$/.test(country)) throw new RangeError("country must be a two-letter ISO 3166 code such as DE");
}

export function checkNameLength(value: string, label: string): void {
  if (value.length === 0 || value.length > MAX_NAME_LENGTH) throw new RangeError(`${label} must be 1 to ${MAX_NAME_LENGTH} characters`);
}
