import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { concatBytes, fromHex, toHex, utf8 } from "../../src/bytes.ts";
import { type ErrorCode, isProvenanceError } from "../../src/errors.ts";
import { encodeAttestationObject } from "../../src/webauthn/attestation-object.ts";
import { type PackedAttestationInput, verifyPackedAttestation } from "../../src/webauthn/verify-packed-attestation.ts";
import type { VendorCa } from "../../device/manufacture/vendor-ca.ts";
import {
  AAGUID,
  type KeyHolder,
  type Registration,
  attestationSubject,
  certificate,
  generateKey,
  manufacture,
  register,
  vendorCa,
} from "./registration-fixture.ts";

const YEAR = 365 * 24 * 3600_000;

let ca: VendorCa;
let otherCa: VendorCa;
let camera: KeyHolder;

before(async () => {
  [ca, otherCa] = await Promise.all([vendorCa("Snap Optics"), vendorCa("Elsewhere Imaging")]);
  camera = await manufacture(ca, { serial: "SN-0001-ABCD" });
});

/** Verifies as the registration endpoint would: trusting only `ca`'s root, now. */
function verify(registration: Registration, overrides: Partial<PackedAttestationInput> = {}) {
  return verifyPackedAttestation({
    attestationObject: registration.attestationObject,
    clientDataHash: registration.clientDataHash,
    trustedRoots: [ca.certificate],
    now: new Date(),
    ...overrides,
  });
}

async function rejects(promise: Promise<unknown>, code: ErrorCode, detail?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isProvenanceError(error), `expected a ProvenanceError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (detail) assert.match(error.message, detail);
    return true;
  });
}

const caKeys = (vendor: VendorCa): KeyHolder => ({ certificate: vendor.certificate, privateKey: vendor.privateKey });
const named = (commonName: string) => [{ CN: [{ utf8String: commonName }] }];
const aaguidExtension = { value: AAGUID, critical: false };

describe("verifyPackedAttestation accepts", () => {
  test("a device certified by a trusted vendor root, and returns its serial from the subject", async () => {
    const registration = await register(camera);
    const verified = await verify(registration);
    assert.equal(verified.subject.serialNumber, "SN-0001-ABCD");
    assert.deepEqual(verified.subject, {
      country: "DE",
      organization: "Snap Optics",
      organizationalUnit: "Authenticator Attestation",
      commonName: "SnapSeal One Attestation",
      serialNumber: "SN-0001-ABCD",
    });
    assert.equal(verified.issuer, "C=DE, O=Snap Optics, CN=Snap Optics Attestation Root CA");
    // Compared as hex: encodeCanonical's output carries cbor-x's own `dataView` property.
    assert.equal(toHex(verified.credentialId), toHex(registration.credentialId));
    assert.equal(toHex(verified.credentialPublicKey), toHex(registration.credentialPublicKey));
    assert.equal(toHex(verified.aaguid), toHex(AAGUID));
    assert.equal(toHex(verified.attestationCertificate), toHex(camera.certificate));
    assert.equal(verified.authenticatorData.signCount, 0);
  });

  test("a chain through an intermediate CA", async () => {
    const line = await certificate({ issuer: caKeys(ca), subject: named("Snap Optics Line 2 CA"), ca: true, pathLength: 0 });
    const device = await certificate({ issuer: line, subject: attestationSubject("SN-LINE2-7"), ca: false, aaguid: aaguidExtension });
    const verified = await verify(await register(device, { x5c: [device.certificate, line.certificate] }));
    assert.equal(verified.subject.serialNumber, "SN-LINE2-7");
    assert.equal(verified.issuer, "CN=Snap Optics Line 2 CA");
  });

  test("an x5c that ends with the trusted root itself", async () => {
    const verified = await verify(await register(camera, { x5c: [camera.certificate, ca.certificate] }));
    assert.equal(verified.subject.serialNumber, "SN-0001-ABCD");
  });

  test("a certificate without the optional AAGUID extension", async () => {
    const device = await certificate({ issuer: caKeys(ca), subject: attestationSubject("SN-NO-AAGUID"), ca: false });
    assert.equal((await verify(await register(device))).subject.serialNumber, "SN-NO-AAGUID");
  });
});

describe("verifyPackedAttestation refuses", () => {
  test("unknown root: a device of a vendor CA that is not trusted", async () => {
    const foreign = await manufacture(otherCa, { serial: "SN-FOREIGN" });
    await rejects(verify(await register(foreign)), "attestation_chain_untrusted");
  });

  test("no trusted roots configured at all", async () => {
    await rejects(verify(await register(camera), { trustedRoots: [] }), "attestation_chain_untrusted");
  });

  test("impostor root: same name as the trusted root, different key", async () => {
    const impostor: VendorCa = { ...ca, privateKey: (await generateKey()).privateKey };
    const forged = await manufacture(impostor, { serial: "SN-0001-ABCD" });
    await rejects(verify(await register(forged)), "attestation_chain_untrusted");
  });

  test("self attestation (packed without x5c)", async () => {
    const credentialKey = await generateKey();
    const registration = await register(camera, { x5c: "omit", signWith: credentialKey.privateKey });
    await rejects(verify(registration), "attestation_format_unsupported", /self attestation/);
  });

  test('fmt "none"', async () => {
    const registration = await register(camera);
    const none = encodeAttestationObject({ fmt: "none", attStmt: {}, authData: registration.authData });
    await rejects(verify({ ...registration, attestationObject: none }), "attestation_format_unsupported");
  });

  test('fmt "fido-u2f"', async () => {
    await rejects(verify(await register(camera, { fmt: "fido-u2f" })), "attestation_format_unsupported");
  });

  test('fmt "Packed" (format identifiers match case-sensitively)', async () => {
    await rejects(verify(await register(camera, { fmt: "Packed" })), "attestation_format_unsupported");
  });

  test("an algorithm other than ES256", async () => {
    await rejects(verify(await register(camera, { alg: -257 })), "attestation_format_unsupported", /ES256/);
  });

  test("signature by another key than the certificate's", async () => {
    const thief = await generateKey();
    await rejects(verify(await register(camera, { signWith: thief.privateKey })), "attestation_signature_invalid");
  });

  test("authData altered after signing", async () => {
    const registration = await register(camera, {
      alterAfterSigning: (authData) => {
        const altered = authData.slice();
        altered[36] = 7; // signCount 0 → 7
        return altered;
      },
    });
    await rejects(verify(registration), "attestation_signature_invalid");
  });

  test("clientDataHash of another ceremony", async () => {
    const [registration, other] = await Promise.all([register(camera), register(camera)]);
    await rejects(verify(registration, { clientDataHash: other.clientDataHash }), "attestation_signature_invalid");
  });

  test("AAGUID in the certificate differs from the one in authData", async () => {
    const otherModel = Uint8Array.from({ length: 16 }, (_, i) => i);
    await rejects(verify(await register(camera, { aaguid: otherModel })), "attestation_certificate_invalid", /AAGUID/);
  });

  test("AAGUID extension marked critical", async () => {
    const aaguid = { value: AAGUID, critical: true };
    const device = await certificate({ issuer: caKeys(ca), subject: attestationSubject("SN-CRIT"), ca: false, aaguid });
    await rejects(verify(await register(device)), "attestation_certificate_invalid", /critical/);
  });

  test("attestation certificate that is not X.509 v3", async () => {
    // [0] EXPLICIT INTEGER 2 (v3) rewritten to 1 (v2); the version is checked before the chain.
    const der = toHex(camera.certificate);
    const v2 = fromHex(der.replace("a003020102", "a003020101"));
    assert.notEqual(toHex(v2), der);
    await rejects(verify(await register(camera, { x5c: [v2] })), "attestation_certificate_invalid", /version is 2/);
  });

  test("attestation certificate with CA:true", async () => {
    const device = await certificate({ issuer: caKeys(ca), subject: attestationSubject("SN-CA"), ca: true, aaguid: aaguidExtension });
    await rejects(verify(await register(device)), "attestation_certificate_invalid", /CA/);
  });

  test("attestation certificate without OU=Authenticator Attestation", async () => {
    const subject = attestationSubject("SN-NO-OU", { withoutOu: true });
    const device = await certificate({ issuer: caKeys(ca), subject, ca: false, aaguid: aaguidExtension });
    await rejects(verify(await register(device)), "attestation_certificate_invalid", /OU/);
  });

  test("expired device certificate", async () => {
    const shortLived = await manufacture(ca, { serial: "SN-SHORT", validYears: 1 });
    const later = new Date(Date.now() + 2 * YEAR);
    await rejects(verify(await register(shortLived), { now: later }), "attestation_chain_untrusted", /not valid at/);
  });

  test("device certificate not yet valid", async () => {
    const earlier = new Date(Date.now() - YEAR);
    await rejects(verify(await register(camera), { now: earlier }), "attestation_chain_untrusted", /not valid at/);
  });

  test("a leaf posing as an issuer: x5c chained through a non-CA certificate", async () => {
    const fakeIssuer = await certificate({ issuer: caKeys(ca), subject: named("Not A CA"), ca: false });
    const device = await certificate({ issuer: fakeIssuer, subject: attestationSubject("SN-SUB"), ca: false });
    const registration = await register(device, { x5c: [device.certificate, fakeIssuer.certificate] });
    await rejects(verify(registration), "attestation_chain_untrusted", /not a CA/);
  });

  test("an intermediate beyond its issuer's path length", async () => {
    const line = await certificate({ issuer: caKeys(ca), subject: named("Line CA"), ca: true, pathLength: 0 });
    const subLine = await certificate({ issuer: line, subject: named("Sub-line CA"), ca: true });
    const device = await certificate({ issuer: subLine, subject: attestationSubject("SN-DEEP"), ca: false });
    const registration = await register(device, { x5c: [device.certificate, subLine.certificate, line.certificate] });
    await rejects(verify(registration), "attestation_chain_untrusted", /allows 0/);
  });

  test("x5c whose certificates do not chain in order", async () => {
    const line = await certificate({ issuer: caKeys(ca), subject: named("Line CA"), ca: true });
    const registration = await register(camera, { x5c: [camera.certificate, line.certificate] });
    await rejects(verify(registration), "attestation_chain_untrusted", /not issued by/);
  });

  test("an x5c entry that is not a certificate", async () => {
    const notACertificate = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]);
    await rejects(verify(await register(camera, { x5c: [notACertificate] })), "attestation_malformed");
  });

  test("an empty x5c", async () => {
    await rejects(verify(await register(camera, { x5c: [] })), "attestation_malformed");
  });

  test("authData without attested credential data", async () => {
    const withoutAttestedData = (authData: Uint8Array) => concatBytes(authData.slice(0, 32), new Uint8Array([0, 0, 0, 0, 0]));
    const registration = await register(camera, { alterAfterSigning: withoutAttestedData });
    await rejects(verify(registration), "attestation_malformed", /attested credential data/);
  });

  test("garbage bytes", async () => {
    const garbage = crypto.getRandomValues(new Uint8Array(300));
    garbage[0] = 0xa3; // a three-entry map header, so the decoder has to look further before giving up
    await rejects(verify(await register(camera), { attestationObject: garbage }), "attestation_malformed");
  });

  test("CBOR that declares huge lengths", async () => {
    const registration = await register(camera);
    const text = (value: string) => concatBytes(new Uint8Array([0x60 + value.length]), utf8(value));
    const hugeAuthData = concatBytes(
      new Uint8Array([0xa3]),
      text("fmt"),
      text("packed"),
      text("attStmt"),
      new Uint8Array([0xa0]),
      text("authData"),
      new Uint8Array([0x5b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00]), // a 4 GiB byte string follows, supposedly
    );
    const hugeArray = new Uint8Array([0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const hugeMap = new Uint8Array([0xbb, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    for (const attestationObject of [hugeAuthData, hugeArray, hugeMap]) {
      await rejects(verify(registration, { attestationObject }), "attestation_malformed");
    }
  });

  test("an attestation object over the 16 KiB bound", async () => {
    const registration = await register(camera, { x5c: Array.from({ length: 31 }, () => camera.certificate) });
    assert.ok(registration.attestationObject.length > 16 * 1024);
    await rejects(verify(registration), "attestation_malformed", /16384/);
  });

  test("truncated attestation object", async () => {
    const registration = await register(camera);
    const truncated = registration.attestationObject.slice(0, registration.attestationObject.length - 10);
    await rejects(verify(registration, { attestationObject: truncated }), "attestation_malformed");
  });

  test("trusted roots that are not certificates: a configuration error, not a verdict on the device", async () => {
    await assert.rejects(verify(await register(camera), { trustedRoots: [new Uint8Array([1, 2, 3])] }), TypeError);
  });
});
