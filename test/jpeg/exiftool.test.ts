// Interop with another metadata writer: Debian's libimage-exiftool-perl. The CI
// installs it; a machine without it fails here instead of silently skipping.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import ExifReader from "exifreader";
import sharp from "sharp";
import { plainBytes } from "../../src/bytes.ts";
import { embedRecord, extractRecord } from "../../src/jpeg/exif-record.ts";
import { imageDataHash } from "../../src/jpeg/image-hash.ts";
import { makeScene } from "./scenes.ts";

const EXIFTOOL = "/usr/bin/exiftool";
const run = promisify(execFile);
const scene = makeScene(9);

describe("after exiftool edits a sealed JPEG", () => {
  let directory = "";
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "snapseal-exiftool-"));
  });
  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  async function exiftool(jpeg: Uint8Array, ...args: string[]): Promise<Uint8Array> {
    assert.ok(existsSync(EXIFTOOL), `${EXIFTOOL} is missing: install it with apt-get install -y libimage-exiftool-perl`);
    const file = join(directory, "photo.jpg");
    await writeFile(file, jpeg);
    await run(EXIFTOOL, ["-overwrite_original", ...args, file]);
    return plainBytes(await readFile(file));
  }

  async function sealedPhoto(recordLength: number): Promise<{ jpeg: Uint8Array; record: Uint8Array }> {
    const original = await sharp(scene.pixels, { raw: scene }).jpeg().withExif({ IFD0: { Make: "SnapSeal", Model: "S1" } }).toBuffer();
    const record = Uint8Array.from({ length: recordLength }, (_, i) => (i * 199 + 7) & 0xff);
    return { jpeg: embedRecord(plainBytes(original), record), record };
  }

  for (const recordLength of [710, 10_000]) {
    it(`keeps a ${recordLength}-byte record and the image hash when Artist, Copyright, ImageDescription and GPS are written`, async () => {
      const { jpeg, record } = await sealedPhoto(recordLength);
      const edited = await exiftool(
        jpeg,
        "-Artist=Grace Hopper",
        "-Copyright=2025 SnapSeal contributors",
        "-ImageDescription=Harbour at dawn",
        "-GPSLatitude=59.3293",
        "-GPSLatitudeRef=N",
        "-GPSLongitude=18.0686",
        "-GPSLongitudeRef=E",
      );

      const tags = ExifReader.load(Buffer.from(edited));
      assert.equal(tags.Artist?.description, "Grace Hopper");
      assert.equal(tags.Copyright?.description, "2025 SnapSeal contributors");
      assert.equal(tags.ImageDescription?.description, "Harbour at dawn");
      assert.match(tags.GPSLatitudeRef?.description ?? "", /^North/);
      assert.equal(tags.Make?.description, "SnapSeal");

      assert.deepEqual(extractRecord(edited), record);
      assert.deepEqual(await imageDataHash(edited), await imageDataHash(jpeg));
    });
  }

  it("keeps the record and the image hash when a comment and XMP are added", async () => {
    const { jpeg, record } = await sealedPhoto(710);
    const edited = await exiftool(jpeg, "-Comment=seen by exiftool", "-XMP-dc:Creator=Ada Lovelace");
    assert.deepEqual(extractRecord(edited), record);
    assert.deepEqual(await imageDataHash(edited), await imageDataHash(jpeg));
  });

  it("loses the record but not the image hash when all metadata is stripped", async () => {
    const { jpeg } = await sealedPhoto(710);
    const stripped = await exiftool(jpeg, "-all=");
    assert.equal(extractRecord(stripped), null);
    assert.deepEqual(await imageDataHash(stripped), await imageDataHash(jpeg));
  });
});
