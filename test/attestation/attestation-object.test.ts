import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { concatBytes, toHex, utf8 } from "../../src/bytes.ts";
import { type CborValue, encodeCanonical } from "../../src/cbor/canonical.ts";
import { isProvenanceError } from "../../src/errors.ts";
import { decodeAttestationObject, encodeAttestationObject } from "../../src/webauthn/attestation-object.ts";

const authData = Uint8Array.from({ length: 37 }, (_, i) => i);
const sig = new Uint8Array([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]);

/** Hand-built CBOR: raw header bytes and encoded items, concatenated. */
const cbor = (...parts: Array<number[] | Uint8Array>) =>
  concatBytes(...parts.map((part) => (part instanceof Uint8Array ? part : new Uint8Array(part))));
/** A text string item (lengths under 24). */
const text = (value: string) => cbor([0x60 + value.length], utf8(value));
const authDataItem = cbor([0x58, 37], authData);

function refuses(bytes: Uint8Array, detail?: RegExp): void {
  assert.throws(
    () => decodeAttestationObject(bytes),
    (error: unknown) => {
      assert.ok(isProvenanceError(error, "attestation_malformed"), String(error));
      if (detail) assert.match(error.message, detail);
      return true;
    },
  );
}

const valid = () => encodeAttestationObject({ fmt: "packed", attStmt: { alg: -7, sig, x5c: [new Uint8Array([1, 2, 3])] }, authData });

describe("attestation object", () => {
  test("round-trips fmt, attStmt and authData", () => {
    const decoded = decodeAttestationObject(valid());
    assert.equal(decoded.fmt, "packed");
    assert.equal(toHex(decoded.authData), toHex(authData));
    assert.deepEqual([...decoded.attStmt.keys()], ["alg", "sig", "x5c"]);
    assert.equal(decoded.attStmt.get("alg"), -7);
  });

  test("is written in deterministic (CTAP2 canonical) order: fmt, attStmt, authData", () => {
    const bytes = valid();
    assert.equal(bytes[0], 0xa3);
    assert.equal(toHex(bytes.subarray(1, 5)), toHex(text("fmt")));
    const none = encodeAttestationObject({ fmt: "none", attStmt: {}, authData });
    assert.equal(toHex(none), toHex(cbor([0xa3], text("fmt"), text("none"), text("attStmt"), [0xa0], text("authData"), authDataItem)));
  });
});

describe("decodeAttestationObject refuses", () => {
  test("garbage bytes", () => refuses(utf8("this is not CBOR at all")));

  test("truncated input", () => {
    const bytes = valid();
    for (const length of [0, 1, 5, bytes.length - 1]) refuses(bytes.slice(0, length));
  });

  test("trailing bytes", () => refuses(concatBytes(valid(), new Uint8Array([0x00]))));

  test("CBOR that declares huge lengths", () => {
    // authData announced as a 4 GiB byte string, an array of 2^64 - 1 items, a map of 2^63 - 1 entries.
    refuses(cbor([0xa3], text("fmt"), text("packed"), text("attStmt"), [0xa0], text("authData"), [0x5b, 0, 0, 0, 1, 0, 0, 0, 0]));
    refuses(cbor([0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    refuses(cbor([0xbb, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
  });

  test("more than 16 KiB", () => {
    const big = encodeAttestationObject({ fmt: "packed", attStmt: { alg: -7, sig, x5c: [new Uint8Array(16 * 1024)] }, authData });
    refuses(big, /16384/);
  });

  test("members out of deterministic order", () => {
    refuses(cbor([0xa3], text("authData"), authDataItem, text("fmt"), text("none"), text("attStmt"), [0xa0]));
  });

  test("indefinite-length maps", () => {
    refuses(cbor([0xbf], text("fmt"), text("none"), text("attStmt"), [0xa0], text("authData"), authDataItem, [0xff]));
  });

  test("a member missing, or one too many", () => {
    refuses(encodeCanonical(new Map<string, CborValue>([["fmt", "none"], ["authData", authData]])), /attStmt is missing/);
    refuses(
      encodeCanonical(
        new Map<string, CborValue>([
          ["fmt", "none"],
          ["attStmt", new Map()],
          ["authData", authData],
          ["epAtt", true],
        ]),
      ),
      /unexpected key/,
    );
  });

  test("members of the wrong type", () => {
    const object = (fmt: CborValue, attStmt: CborValue, data: CborValue) =>
      encodeCanonical(
        new Map<string, CborValue>([
          ["fmt", fmt],
          ["attStmt", attStmt],
          ["authData", data],
        ]),
      );
    refuses(object(1, new Map(), authData), /fmt/);
    refuses(object("", new Map(), authData), /fmt/);
    refuses(object("x".repeat(33), new Map(), authData), /fmt/);
    refuses(object("packed", [], authData), /attStmt must be a map/);
    refuses(object("packed", new Map([[1, 2]]), authData), /attStmt keys must be text/);
    refuses(object("packed", new Map(), "authData"), /authData/);
  });

  test("a top level that is not a map", () => refuses(encodeCanonical(["packed", new Map(), authData])));
});
