// Damaged files must be refused with a ProvenanceError: never another exception,
// and never a hang or an allocation sized by a forged length.

import assert from "node:assert/strict";
import { it } from "node:test";
import sharp from "sharp";
import { plainBytes } from "../../src/bytes.ts";
import { ProvenanceError } from "../../src/errors.ts";
import { embedRecord, extractRecord } from "../../src/jpeg/exif-record.ts";
import { readImageInfo } from "../../src/jpeg/image-info.ts";
import { readJpegLayout } from "../../src/jpeg/segments.ts";
import { makeScene } from "./scenes.ts";

/** LCG: reproducible mutations, so a failure names a case that can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

it("every function either succeeds or throws a ProvenanceError on mutated sealed JPEGs", async () => {
  const scene = makeScene(19, 64, 48);
  const original = await sharp(scene.pixels, { raw: scene }).jpeg().withExif({ IFD0: { Artist: "Ada", Make: "SnapSeal" } }).toBuffer();
  const sealed = embedRecord(plainBytes(original), new Uint8Array(300).fill(9));
  const [exif] = readJpegLayout(sealed).metadata;
  const next = random(1);
  for (let round = 0; round < 3000; round++) {
    // Most rounds hit the Exif segment, where forged counts and offsets live.
    const span = round % 4 === 0 ? sealed.length : exif!.offset + exif!.length;
    const mutated = sealed.slice();
    for (let edits = 1 + Math.floor(next() * 4); edits > 0; edits--) mutated[Math.floor(next() * span)] = Math.floor(next() * 256);
    for (const operation of [() => embedRecord(mutated, Uint8Array.of(1)), () => extractRecord(mutated), () => readImageInfo(mutated)]) {
      try {
        operation();
      } catch (error) {
        assert.ok(error instanceof ProvenanceError, `round ${round}: ${String(error)}`);
      }
    }
  }
});
