import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { extractRecord, embedRecord } from "../../src/jpeg/exif-record.ts";
import { type CaptureRecord, decodeRecord, encodeRecord } from "../../src/record/capture-record.ts";

/** What an attacker can do to a sealed photo: rewrite its record and put it back. */
export function rewriteRecord(jpeg: Uint8Array, change: (record: CaptureRecord) => CaptureRecord): Uint8Array {
  const encoded = extractRecord(jpeg);
  if (!encoded) throw new Error("no record to rewrite");
  return embedRecord(jpeg, encodeRecord(change(decodeRecord(encoded))));
}

/** Runs exiftool (Debian's libimage-exiftool-perl) on a copy of the photo: "another tool". */
export function exiftool(jpeg: Uint8Array, args: string[]): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "snapseal-exiftool-"));
  try {
    const path = join(dir, "photo.jpg");
    writeFileSync(path, jpeg);
    execFileSync("exiftool", ["-overwrite_original", ...args, path], { stdio: "pipe" });
    return new Uint8Array(readFileSync(path));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
