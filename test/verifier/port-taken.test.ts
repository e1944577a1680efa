import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { serveOnLoopback } from "../../edge/serve-loopback.ts";
import { runCli } from "../support/cli.ts";

test("a taken port rejects the serve call with EADDRINUSE instead of crashing the process", async () => {
  const first = await serveOnLoopback(() => new Response("first"), 0, () => {});
  try {
    const port = Number(new URL(first.url).port);
    await assert.rejects(serveOnLoopback(() => new Response("second"), port, () => {}), { code: "EADDRINUSE" });
    const served = await runCli(["verifier", "serve", "--port", String(port)], { DATABASE_URL: "file::memory:" });
    assert.notEqual(served.code, 0);
    assert.match(served.stderr, /^snapseal: .*EADDRINUSE/m);
    assert.equal(existsSync("secret-keys"), false, "an in-memory database leaves no key file in the working directory");
    assert.equal(await (await fetch(first.url)).text(), "first", "the server holding the port is untouched");
  } finally {
    await first.stop();
  }
});
