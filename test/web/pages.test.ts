// The pages route through app.request(), without a socket: what it serves, under which policy, and how it caches.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { type StartedVerifier, startVerifier } from "../../verifier/start.ts";
import { webAssetsOnce } from "../../web/build.ts";
import { type World, createWorld } from "../support/world.ts";

let world: World;
let withoutPages: StartedVerifier;

before(async () => {
  world = await createWorld();
  // A second instance on the same database that was given no web assets.
  withoutPages = await startVerifier(world.verifier.services.config);
});

after(async () => {
  withoutPages?.close();
  await world?.close();
});

const request = (path: string, headers: Record<string, string> = {}) => world.verifier.app.request(path, { headers });

test("each page is its HTML shell, under a policy that allows only the verifier's own scripts, styles and API", async () => {
  for (const [path, title] of [
    ["/", "Check a photo · SnapSeal"],
    [`/c/${"A".repeat(24)}`, "Check a photo · SnapSeal"],
    ["/account", "Your cameras · SnapSeal"],
  ] as const) {
    const response = await request(path);
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
    const policy = response.headers.get("content-security-policy") ?? "";
    for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "object-src 'none'"]) {
      assert.ok(policy.includes(directive), `${path}: ${directive} in ${policy}`);
    }
    assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval/);
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    assert.equal(response.headers.get("referrer-policy"), "no-referrer");
    assert.match(await response.text(), new RegExp(`<title>${title}</title>`));
  }
});

test("a script is sent gzipped to a browser that accepts it, the same bytes once inflated, each encoding with its own ETag", async () => {
  const plain = await request("/assets/check.js");
  const gzipped = await request("/assets/check.js", { "accept-encoding": "gzip, deflate, br" });
  assert.equal(plain.headers.get("content-encoding"), null);
  assert.equal(gzipped.headers.get("content-encoding"), "gzip");
  assert.equal(gzipped.headers.get("vary"), "Accept-Encoding");
  const plainBytes = new Uint8Array(await plain.arrayBuffer());
  const gzippedBytes = new Uint8Array(await gzipped.arrayBuffer());
  assert.ok(gzippedBytes.length < plainBytes.length / 2, `${gzippedBytes.length} gzipped against ${plainBytes.length}`);
  assert.deepEqual(new Uint8Array(gunzipSync(gzippedBytes)), plainBytes);
  assert.notEqual(plain.headers.get("etag"), gzipped.headers.get("etag"));
  assert.equal(plain.headers.get("cache-control"), "no-cache");
});

test("a known ETag answers 304 with no body; a stale one gets the asset", async () => {
  const first = await request("/assets/style.css");
  const etag = first.headers.get("etag")!;
  const again = await request("/assets/style.css", { "if-none-match": etag });
  assert.equal(again.status, 304);
  assert.equal((await again.arrayBuffer()).byteLength, 0);
  const stale = await request("/assets/style.css", { "if-none-match": '"stale"' });
  assert.equal(stale.status, 200);
  assert.equal(stale.headers.get("content-type"), "text/css; charset=utf-8");
});

test("an unknown asset, a malformed permalink and a verifier without pages answer 404 not_found in JSON", async () => {
  for (const response of [await request("/assets/nothing.js"), await request("/assets/..%2Fpackage.json"), await request("/c/short"), await withoutPages.app.request("/")]) {
    assert.equal(response.status, 404);
    assert.equal((await response.json()).error.code, "not_found");
  }
});

test("the bundled pages are built once per process and shared", async () => {
  assert.equal(await webAssetsOnce(), await webAssetsOnce());
});
