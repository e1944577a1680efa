import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const bin = join(import.meta.dirname, "..", "..", "bin", "snapseal.mjs");

test("snapseal runs from a folder outside the repository, where no node_modules is found", () => {
  const dir = mkdtempSync(join(tmpdir(), "snapseal-cwd-"));
  try {
    const result = spawnSync(process.execPath, [bin, "vendor", "init", "--ca", "vendor", "--vendor", "Acme Optics"], { cwd: dir, encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /vendor root written to vendor\/root\.pem/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
