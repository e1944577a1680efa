import assert from "node:assert/strict";
import { test } from "node:test";
import { fromBase64Url, toBase64Url } from "../../src/bytes.ts";

test("base64url matches Node's encoder at every length and round-trips", () => {
  for (let length = 0; length < 200; length++) {
    const bytes = crypto.getRandomValues(new Uint8Array(length));
    const encoded = toBase64Url(bytes);
    assert.equal(encoded, Buffer.from(bytes).toString("base64url"));
    assert.deepEqual(fromBase64Url(encoded), bytes);
  }
});

test("fromBase64Url refuses padding, the standard alphabet and impossible lengths", () => {
  for (const text of ["AA==", "a+b/", "A", "AAAAA"]) assert.throws(() => fromBase64Url(text), TypeError, text);
});
