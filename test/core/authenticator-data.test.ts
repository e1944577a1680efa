import assert from "node:assert/strict";
import { test } from "node:test";
import { concatBytes } from "../../src/bytes.ts";
import { AuthenticatorDataError, Flags, encodeAuthenticatorData, parseAuthenticatorData } from "../../src/webauthn/authenticator-data.ts";
import { encodeCoseP256, decodeCoseP256 } from "../../src/webauthn/cose-key.ts";
import { p256 } from "@noble/curves/nist.js";

const rpIdHash = new Uint8Array(32).fill(7);

test("an assertion's authenticatorData is 37 bytes: rpIdHash, flags, big-endian signCount", () => {
  const bytes = encodeAuthenticatorData({ rpIdHash, flags: 0, signCount: 0x01020304 });
  assert.equal(bytes.length, 37);
  assert.deepEqual([...bytes.subarray(32)], [0, 1, 2, 3, 4]);
  assert.deepEqual(parseAuthenticatorData(bytes), { rpIdHash, flags: 0, signCount: 0x01020304 });
});

test("attested credential data round-trips with its COSE key", () => {
  const point = p256.getPublicKey(p256.utils.randomSecretKey(), false);
  const credentialPublicKey = encodeCoseP256(point);
  const attested = { aaguid: new Uint8Array(16).fill(1), credentialId: new Uint8Array(32).fill(2), credentialPublicKey };
  const parsed = parseAuthenticatorData(encodeAuthenticatorData({ rpIdHash, flags: Flags.AT, signCount: 0, attestedCredentialData: attested }));
  assert.deepEqual(parsed.attestedCredentialData, attested);
  assert.deepEqual(decodeCoseP256(parsed.attestedCredentialData!.credentialPublicKey), point);
});

test("trailing bytes, extensions and truncation are refused, not skipped", () => {
  const plain = encodeAuthenticatorData({ rpIdHash, flags: 0, signCount: 1 });
  assert.throws(() => parseAuthenticatorData(concatBytes(plain, new Uint8Array([0]))), AuthenticatorDataError);
  const withExtensions = plain.slice();
  withExtensions[32] = Flags.ED;
  assert.throws(() => parseAuthenticatorData(withExtensions), AuthenticatorDataError);
  assert.throws(() => parseAuthenticatorData(plain.subarray(0, 36)), AuthenticatorDataError);
});

test("a COSE key that is not a point on P-256 is refused", () => {
  const point = p256.getPublicKey(p256.utils.randomSecretKey(), false);
  point[64] = point[64]! ^ 1;
  assert.throws(() => decodeCoseP256(encodeCoseP256(point)), /not a point on P-256/);
});
