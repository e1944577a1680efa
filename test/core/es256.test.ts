import assert from "node:assert/strict";
import { test } from "node:test";
import { p256 } from "@noble/curves/nist.js";
import { importP256PublicKey, signEs256, verifyEs256 } from "../../src/crypto/es256.ts";
import { SignatureEncodingError, derToRaw } from "../../src/crypto/p256-signature.ts";
import { sha256 } from "../../src/crypto/sha256.ts";

test("every signature we emit is low-S DER, so strict verifiers (noble v2) accept it", async () => {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const point = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  const key = await importP256PublicKey(point);
  // WebCrypto returns high-S for about half of all signatures; 64 makes missing the normalisation all but certain to show.
  for (let index = 0; index < 64; index++) {
    const message = new Uint8Array([index, 1, 2, 3]);
    const der = await signEs256(pair.privateKey, message);
    const signature = p256.Signature.fromBytes(der, "der");
    assert.equal(signature.hasHighS(), false);
    assert.equal(p256.verify(der, await sha256(message), point, { prehash: false, format: "der" }), true);
    assert.equal(await verifyEs256(key, der, message), true);
  }
});

test("a malformed DER signature is a failed verification, not an exception", async () => {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const key = await importP256PublicKey(new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey)));
  assert.equal(await verifyEs256(key, new Uint8Array([0x30, 0x02, 0x01]), new Uint8Array([1])), false);
});

test("derToRaw reads exactly what noble's DER parser reads, for real signatures of every length", async () => {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const lengths = new Set<number>();
  for (let index = 0; index < 400; index++) {
    const der = await signEs256(pair.privateKey, new Uint8Array([index & 0xff, index >> 8]));
    lengths.add(der.length);
    assert.deepEqual(derToRaw(der), p256.Signature.fromBytes(der, "der").toBytes("compact"));
  }
  assert.ok(lengths.size >= 2, "short r or s came up, so the padding path ran");
});

for (const [name, hex] of [
  ["a long-form SEQUENCE length", "30814402207fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff02207fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"],
  ["a negative r", "3044022080ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff02207fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"],
  ["a superfluous leading zero", "30450221007fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff02207fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"],
  ["a zero r", "3025020100022000ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"],
  ["a 33-byte s", "3046022100ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff022101ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"],
  ["trailing bytes inside the SEQUENCE", "3047022100ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff02207fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00"],
  ["a BIT STRING where s belongs", "3044022100ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff031f7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"],
] as const) {
  test(`derToRaw refuses ${name}`, () => {
    assert.throws(() => derToRaw(Uint8Array.from(hex.match(/../g)!.map((pair) => parseInt(pair, 16)))), SignatureEncodingError);
  });
}
