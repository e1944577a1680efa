import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { concatBytes, toHex, utf8 } from "../../src/bytes.ts";
import { verifyPackedAttestation } from "../../src/webauthn/verify-packed-attestation.ts";
import { issueAttestationCertificate } from "../../device/manufacture/attestation-certificate.ts";
import { type VendorCa, createVendorCa, loadVendorCa, saveVendorCa } from "../../device/manufacture/vendor-ca.ts";
import { AAGUID, importSigningKey, register } from "./registration-fixture.ts";

const YEAR = 365 * 24 * 3600_000;

let ca: VendorCa;
let dir: string;

before(async () => {
  ca = await createVendorCa({ vendor: "Snap Optics", country: "DE" });
  dir = await mkdtemp(join(tmpdir(), "snapseal-ca-"));
});
after(() => rm(dir, { recursive: true, force: true }));

const parse = (der: Uint8Array) => new x509.X509Certificate(der as Uint8Array<ArrayBuffer>);

/** DER of an attribute: OID 2.5.4.<attribute>, then a string of the given tag. */
const attributeDer = (attribute: number, tag: number, value: string) =>
  toHex(concatBytes(new Uint8Array([0x06, 0x03, 0x55, 0x04, attribute, tag, utf8(value).length]), utf8(value)));

describe("vendor CA", () => {
  test("is a self-signed P-256 root allowed to sign certificates", async () => {
    const root = parse(ca.certificate);
    assert.equal(root.subject, "C=DE, O=Snap Optics, CN=Snap Optics Attestation Root CA");
    assert.ok(await root.isSelfSigned());
    assert.deepEqual(root.publicKey.algorithm, { name: "ECDSA", namedCurve: "P-256" });
    const basicConstraints = root.getExtension(x509.BasicConstraintsExtension)!;
    assert.equal(basicConstraints.ca, true);
    assert.equal(basicConstraints.critical, true);
    const keyUsage = root.getExtension(x509.KeyUsagesExtension)!;
    assert.ok(keyUsage.usages & x509.KeyUsageFlags.keyCertSign);
    assert.ok(root.notAfter.getTime() - Date.now() > 24 * YEAR);
  });

  test("defaults to the user-assigned country code XX and honours validYears", async () => {
    const other = await createVendorCa({ vendor: "Nowhere Labs", validYears: 2 });
    assert.equal(other.country, "XX");
    const root = parse(other.certificate);
    assert.equal(root.subjectName.getField("C")[0], "XX");
    assert.ok(root.notAfter.getTime() - Date.now() < 2 * YEAR + 2 * 24 * 3600_000);
  });

  test("refuses a country that is not a two-letter code, and empty vendors", async () => {
    await assert.rejects(createVendorCa({ vendor: "Snap Optics", country: "Germany" }), RangeError);
    await assert.rejects(createVendorCa({ vendor: "" }), RangeError);
  });

  test("is saved as root.pem and root.key.pem (PKCS#8, mode 0600) and loads back", async () => {
    const caDir = join(dir, "saved");
    await saveVendorCa(ca, caDir);
    const certificatePem = await readFile(join(caDir, "root.pem"), "utf8");
    const keyPem = await readFile(join(caDir, "root.key.pem"), "utf8");
    assert.match(certificatePem, /^-----BEGIN CERTIFICATE-----/);
    assert.match(keyPem, /^-----BEGIN PRIVATE KEY-----/);
    assert.equal((await stat(join(caDir, "root.key.pem"))).mode & 0o777, 0o600);

    const loaded = await loadVendorCa(caDir);
    assert.equal(loaded.vendor, "Snap Optics");
    assert.equal(loaded.country, "DE");
    assert.equal(toHex(loaded.certificate), toHex(ca.certificate));

    // The loaded key is the root's key: what it issues chains to the original root.
    const issued = await issueAttestationCertificate(loaded, { serial: "SN-LOADED", model: "SnapSeal One", aaguid: AAGUID });
    const device = { certificate: issued.certificate, privateKey: await importSigningKey(issued.privateKeyPkcs8) };
    const registration = await register(device);
    const verified = await verifyPackedAttestation({
      attestationObject: registration.attestationObject,
      clientDataHash: registration.clientDataHash,
      trustedRoots: [ca.certificate],
      now: new Date(),
    });
    assert.equal(verified.subject.serialNumber, "SN-LOADED");
  });

  test("is never overwritten: replacing a root would orphan every device it certified", async () => {
    const caDir = join(dir, "twice");
    await saveVendorCa(ca, caDir);
    const replacement = await createVendorCa({ vendor: "Snap Optics", country: "DE" });
    await assert.rejects(saveVendorCa(replacement, caDir), { code: "EEXIST" });
    assert.equal(toHex((await loadVendorCa(caDir)).certificate), toHex(ca.certificate));

    // Nor is a new key left beside an old certificate.
    const halfDir = join(dir, "half");
    await saveVendorCa(ca, halfDir);
    await rm(join(halfDir, "root.key.pem"));
    await assert.rejects(saveVendorCa(replacement, halfDir), { code: "EEXIST" });
    await assert.rejects(stat(join(halfDir, "root.key.pem")), { code: "ENOENT" });
  });

  test("refuses to load a key that does not belong to the certificate", async () => {
    const caDir = join(dir, "mismatched");
    const otherDir = join(dir, "other");
    await saveVendorCa(ca, caDir);
    await saveVendorCa(await createVendorCa({ vendor: "Elsewhere Imaging" }), otherDir);
    await writeFile(join(caDir, "root.key.pem"), await readFile(join(otherDir, "root.key.pem")));
    await assert.rejects(loadVendorCa(caDir), /not the key of root.pem/);
  });
});

describe("attestation certificate", () => {
  test("names the device in its subject, as WebAuthn §8.2.1 and seeds/002 ask", async () => {
    const { certificate } = await issueAttestationCertificate(ca, { serial: "SN-0042-QXZ", model: "SnapSeal One", aaguid: AAGUID });
    const cert = parse(certificate);
    assert.equal(cert.subject, "C=DE, O=Snap Optics, OU=Authenticator Attestation, CN=SnapSeal One Attestation, 2.5.4.5=SN-0042-QXZ");
    assert.equal(cert.issuer, parse(ca.certificate).subject);
    // C and serialNumber as PrintableString (0x13), OU and CN as UTF8String (0x0c).
    const der = toHex(certificate);
    assert.ok(der.includes(attributeDer(0x06, 0x13, "DE")));
    assert.ok(der.includes(attributeDer(0x05, 0x13, "SN-0042-QXZ")));
    assert.ok(der.includes(attributeDer(0x0b, 0x0c, "Authenticator Attestation")));
    assert.ok(der.includes(attributeDer(0x03, 0x0c, "SnapSeal One Attestation")));
  });

  test("carries CA:false (critical) and the AAGUID extension (non-critical, OCTET STRING in OCTET STRING)", async () => {
    const cert = parse((await issueAttestationCertificate(ca, { serial: "SN-1", model: "SnapSeal One", aaguid: AAGUID })).certificate);
    const basicConstraints = cert.getExtension(x509.BasicConstraintsExtension)!;
    assert.equal(basicConstraints.ca, false);
    assert.equal(basicConstraints.critical, true);
    const aaguid = cert.getExtension("1.3.6.1.4.1.45724.1.1.4")!;
    assert.equal(aaguid.critical, false);
    assert.equal(toHex(new Uint8Array(aaguid.value)), "0410" + toHex(AAGUID));
    assert.equal(toHex(new Uint8Array(aaguid.rawData)), "3021060b2b0601040182e51c0101040412" + "0410" + toHex(AAGUID));
  });

  test("gives every device its own key and a random positive certificate serial", async () => {
    const issue = (serial: string) => issueAttestationCertificate(ca, { serial, model: "SnapSeal One", aaguid: AAGUID });
    const [first, second] = await Promise.all([issue("SN-A"), issue("SN-B")]);
    const [a, b] = [parse(first.certificate), parse(second.certificate)];
    assert.notEqual(a.serialNumber, b.serialNumber);
    for (const cert of [a, b]) {
      assert.equal(cert.serialNumber.length, 32);
      assert.ok(parseInt(cert.serialNumber.slice(0, 2), 16) < 0x80, "serial must be positive");
    }
    assert.notEqual(toHex(new Uint8Array(a.publicKey.rawData)), toHex(new Uint8Array(b.publicKey.rawData)));
    assert.notEqual(toHex(first.privateKeyPkcs8), toHex(second.privateKeyPkcs8));
  });

  test("does not outlive the vendor root", async () => {
    const shortRoot = await createVendorCa({ vendor: "Snap Optics", country: "DE", validYears: 3 });
    const issued = await issueAttestationCertificate(shortRoot, { serial: "SN-2", model: "SnapSeal One", aaguid: AAGUID, validYears: 20 });
    const cert = parse(issued.certificate);
    assert.equal(cert.notAfter.getTime(), parse(shortRoot.certificate).notAfter.getTime());
  });

  test("refuses serials that are not PrintableString, and AAGUIDs that are not 16 bytes", async () => {
    await assert.rejects(issueAttestationCertificate(ca, { serial: "SN_1", model: "SnapSeal One", aaguid: AAGUID }), RangeError);
    await assert.rejects(issueAttestationCertificate(ca, { serial: "", model: "SnapSeal One", aaguid: AAGUID }), RangeError);
    await assert.rejects(issueAttestationCertificate(ca, { serial: "SN-1", model: "SnapSeal One", aaguid: new Uint8Array(15) }), TypeError);
  });
});
