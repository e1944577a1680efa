// Node-side: bundles the pages' scripts with esbuild, in memory, the first time
// a page is asked for. The check page's script bundles the same src/ modules
// the verifier runs, so a photo is verified in the visitor's browser by the
// code that verifies it on the server.

import { readFile, readdir, mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { type WebAssets, contentTypeOf, fileOfKey, webAsset } from "../verifier/web-assets.ts";

const webDir = dirname(fileURLToPath(import.meta.url));

const SCRIPTS = { "check.js": "check/main.ts", "account.js": "account/main.ts" } as const;

export async function buildWebAssets(): Promise<WebAssets> {
  const assets: WebAssets = new Map();
  const bundled = await build({
    entryPoints: Object.entries(SCRIPTS).map(([out, entry]) => ({ in: join(webDir, entry), out: out.replace(/\.js$/, "") })),
    bundle: true,
    format: "esm",
    // Shared code and the lazily imported X.509 parser become chunks of their own.
    splitting: true,
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: false,
    write: false,
    outdir: "/assets",
    // cbor-x probes for its native addon through a require that never resolves in a browser.
    external: ["cbor-extract"],
    logLevel: "silent",
  });
  for (const file of bundled.outputFiles) {
    const name = file.path.split("/").pop()!;
    assets.set(`/assets/${name}`, await webAsset(file.contents, contentTypeOf(name)));
  }
  for (const name of await readdir(join(webDir, "static"))) {
    assets.set(`/assets/${name}`, await webAsset(new Uint8Array(await readFile(join(webDir, "static", name))), contentTypeOf(name)));
  }
  for (const name of await readdir(join(webDir, "pages"))) {
    assets.set(`page:${name.replace(/\.html$/, "")}`, await webAsset(new Uint8Array(await readFile(join(webDir, "pages", name))), contentTypeOf(name)));
  }
  return assets;
}

let once: Promise<WebAssets> | undefined;

/** Built once per process, on the first page asked for; a failed build is retried on the next. */
export function webAssetsOnce(): Promise<WebAssets> {
  if (!once) {
    once = buildWebAssets();
    once.catch(() => (once = undefined));
  }
  return once;
}

/** `npm run build:web`: the same assets as files, for runtimes that cannot run esbuild (verifier/deno.ts). */
export async function writeWebAssets(outDir: string): Promise<void> {
  for (const [key, asset] of await buildWebAssets()) {
    const file = join(outDir, fileOfKey(key));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, asset.body);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outDir = process.argv[2] ?? join(webDir, "dist");
  await writeWebAssets(outDir);
  console.log(`web assets written to ${outDir}`);
}
