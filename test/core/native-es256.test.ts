import assert from "node:assert/strict";
import { test } from "node:test";
import { verifyEs256WithNodeCrypto } from "../../edge/node-es256.ts";
import { ECDSA_P256, ECDSA_SHA256, importP256PublicKey, signEs256 } from "../../src/crypto/es256.ts";
import { derToRaw } from "../../src/crypto/p256-signature.ts";
import { p256 } from "@noble/curves/nist.js";

test("node:crypto and WebCrypto give the same answer on good, tampered, high-S and malformed signatures", async () => {
  const pair = (await crypto.subtle.generateKey(ECDSA_P256, true, ["sign", "verify"])) as CryptoKeyPair;
  const key = await importP256PublicKey(new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey)));
  const webCrypto = async (der: Uint8Array, data: Uint8Array) => {
    try {
      return await crypto.subtle.verify(ECDSA_SHA256, key, derToRaw(der) as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>);
    } catch {
      return false;
    }
  };
  const cases: [string, Uint8Array, Uint8Array][] = [];
  for (let index = 0; index < 20; index++) {
    const data = new Uint8Array([index, 7, 7]);
    const der = await signEs256(pair.privateKey, data);
    cases.push(["good", der, data]);
    cases.push(["other data", der, new Uint8Array([index, 7, 8])]);
    const signature = p256.Signature.fromBytes(der, "der");
    cases.push(["high-S twin", new p256.Signature(signature.r, p256.Point.Fn.ORDER - signature.s).toBytes("der"), data]);
    cases.push(["truncated", der.subarray(0, der.length - 1), data]);
  }
  for (const [name, der, data] of cases) {
    assert.equal(await verifyEs256WithNodeCrypto(key, der, data), await webCrypto(der, data), name);
  }
  assert.equal(await verifyEs256WithNodeCrypto(key, cases[0]![1], cases[0]![2]), true);
});
