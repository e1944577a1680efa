// An independent relying-party library must accept a camera's registration as
// it stands: packed attestation, x5c chaining to the vendor root, UP = UV = 0.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { SettingsService, verifyRegistrationResponse } from "@simplewebauthn/server";
import { toBase64Url, toHex } from "../../src/bytes.ts";
import { verifyPackedAttestation } from "../../src/webauthn/verify-packed-attestation.ts";
import { AAGUID, ORIGIN, RP_ID, type Registration, manufacture, register, vendorCa } from "./registration-fixture.ts";

afterEach(() => SettingsService.setRootCertificates({ identifier: "packed", certificates: [] }));

function simplewebauthnVerify(registration: Registration, challenge: Uint8Array) {
  const credentialId = toBase64Url(registration.credentialId);
  return verifyRegistrationResponse({
    response: {
      id: credentialId,
      rawId: credentialId,
      type: "public-key",
      response: {
        clientDataJSON: toBase64Url(registration.clientDataJSON),
        attestationObject: toBase64Url(registration.attestationObject),
      },
      clientExtensionResults: {},
    },
    expectedChallenge: toBase64Url(challenge),
    expectedOrigin: ORIGIN,
    expectedRPID: RP_ID,
    // The camera registers with nobody present (seeds/002): UP and UV are both 0,
    // and simplewebauthn requires both unless told otherwise.
    requireUserPresence: false,
    requireUserVerification: false,
  });
}

test("@simplewebauthn/server verifies a camera registration made with our attestation", async () => {
  const ca = await vendorCa();
  const camera = await manufacture(ca, { serial: "SN-INTEROP-1" });
  const challenge = crypto.getRandomValues(new Uint8Array(32));
  const registration = await register(camera, { challenge });
  // Without roots for "packed", simplewebauthn skips path validation altogether.
  SettingsService.setRootCertificates({ identifier: "packed", certificates: [ca.certificate as Uint8Array<ArrayBuffer>] });

  const result = await simplewebauthnVerify(registration, challenge);
  assert.equal(result.verified, true);
  assert.equal(result.registrationInfo?.fmt, "packed");
  assert.equal(result.registrationInfo?.aaguid, "a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf");
  assert.equal(result.registrationInfo?.credential.id, toBase64Url(registration.credentialId));
  assert.equal(toHex(result.registrationInfo!.credential.publicKey), toHex(registration.credentialPublicKey));

  // And ours agrees on the same bytes.
  const ours = await verifyPackedAttestation({
    attestationObject: registration.attestationObject,
    clientDataHash: registration.clientDataHash,
    trustedRoots: [ca.certificate],
    now: new Date(),
  });
  assert.equal(toHex(ours.aaguid), toHex(AAGUID));
  assert.equal(ours.subject.serialNumber, "SN-INTEROP-1");
});

test("@simplewebauthn/server refuses the same registration when only another vendor's root is trusted", async () => {
  const [ca, otherCa] = await Promise.all([vendorCa(), vendorCa("Elsewhere Imaging")]);
  const camera = await manufacture(ca, { serial: "SN-INTEROP-2" });
  const challenge = crypto.getRandomValues(new Uint8Array(32));
  const registration = await register(camera, { challenge });
  SettingsService.setRootCertificates({ identifier: "packed", certificates: [otherCa.certificate as Uint8Array<ArrayBuffer>] });

  await assert.rejects(simplewebauthnVerify(registration, challenge), /could not be chained to any specified trust anchor/);
});
