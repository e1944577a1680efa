import assert from "node:assert/strict";
import { test } from "node:test";
import { toHex } from "../../src/bytes.ts";
import { CborStrictError, decodeCanonical, encodeCanonical } from "../../src/cbor/canonical.ts";

const hex = (text: string) => Uint8Array.from(text.match(/../g)!.map((pair) => parseInt(pair, 16)));

test("encoding is deterministic: keys sorted by their encoding, shortest integers, 64-bit integers stay integers", () => {
  const encoded = encodeCanonical(new Map<string | number, number>([["zz", 1], ["a", 1_763_921_285_123], [3, -7], [1, 24]]));
  // {1: 24, 3: -7, "a": 1763921285123, "zz": 1}
  assert.equal(toHex(encoded), "a401181803266161" + "1b0000019ab1e6d003" + "627a7a01");
  assert.deepEqual(decodeCanonical(encoded, 64), new Map<string | number, number>([[1, 24], [3, -7], ["a", 1_763_921_285_123], ["zz", 1]]));
});

for (const [name, bytes] of [
  ["trailing bytes", "a1616101" + "00"],
  ["a duplicate key", "a2616101616102"],
  ["unsorted keys", "a2616202616101"],
  ["a non-shortest integer", "1805"],
  ["a float where an integer belongs", "f93c00"],
  ["a tag", "c11a00000001"],
  ["an indefinite-length map", "bf616101ff"],
  ["a byte string claiming 2^64-1 bytes", "5bffffffffffffffff"],
  ["an undefined value", "f7"],
] as const) {
  test(`strict decoding refuses ${name}`, () => {
    assert.throws(() => decodeCanonical(hex(bytes), 64), CborStrictError);
  });
}

test("strict decoding refuses deep nesting without exhausting the stack", () => {
  const deep = new Uint8Array(10_001).fill(0x81);
  deep[10_000] = 0x00;
  assert.throws(() => decodeCanonical(deep, 20_000), CborStrictError);
});

test("strict decoding refuses input over its size bound before parsing it", () => {
  assert.throws(() => decodeCanonical(new Uint8Array(65), 64), /more than 64 bytes/);
});
