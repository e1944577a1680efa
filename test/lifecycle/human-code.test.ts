// Pairing and transfer codes: Crockford base32, typed forgivingly, never ambiguous.

import assert from "node:assert/strict";
import { test } from "node:test";
import { newHumanCode, normalizeHumanCode } from "../../src/pairing/human-code.ts";

test("a code has the asked length in groups, from the 32 unambiguous symbols only", () => {
  for (let round = 0; round < 200; round++) {
    assert.match(newHumanCode(10, 5), /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
    assert.match(newHumanCode(12, 4), /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  }
});

test("every symbol turns up: 5 random bits per character, none lost", () => {
  const seen = new Set(Array.from({ length: 400 }, () => newHumanCode(10, 10)).join(""));
  assert.equal(seen.size, 32);
});

test("case, hyphens and spaces do not matter, and O, I and L read as 0, 1 and 1", () => {
  assert.equal(normalizeHumanCode("abcde-fghjk"), "ABCDEFGHJK");
  assert.equal(normalizeHumanCode(" AB CD-E "), "ABCDE");
  assert.equal(normalizeHumanCode("O0-Il1"), "00111");
});

test("anything a code cannot hold is no code at all", () => {
  for (const typed of ["", "---", "U0000", "ABCDE!", "ÄBCDE", "SN_0001"]) assert.equal(normalizeHumanCode(typed), null, typed);
});
