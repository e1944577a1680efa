// The Deno entry point: serves the same Hono app as verifier/node.ts, with
// Deno.serve. Run from the repository root; Deno loads hono, @libsql/client,
// sharp, ... from ./node_modules (no deno.json needed: --node-modules-dir=manual
// is also Deno 2's default beside a package.json, stated here to be sure):
//
//   deno run --node-modules-dir=manual --allow-net=127.0.0.1 --allow-read \
//     --allow-write=<db dir> --allow-env --allow-ffi \
//     --allow-sys=cpus,networkInterfaces,hostname verifier/deno.ts
//
// --allow-ffi loads the Node-API addons (libSQL's, and sharp's); --allow-sys
// because both detect glibc with process.report.getReport(), which in Deno
// asks for the CPU list, network interfaces and host name.
// Environment: as for Node (see verifier/config.ts), plus PORT (0 picks a free
// port; default 8787). On listen it prints exactly one line to stdout:
//   SnapSeal verifier listening on http://127.0.0.1:<port>
//
// tsc skips this file (Deno globals); check it with
//   deno check --node-modules-dir=manual verifier/deno.ts
// The reference below is for that check: tsc finds the ambient piexifjs
// declarations through tsconfig's "include", Deno only through a reference.

/// <reference types="../src/jpeg/piexifjs.d.ts" />

// cbor-x's Node build loads the optional cbor-extract addon, which uses V8's
// C++ API rather than Node-API. Deno loads it (with --allow-ffi, needed for
// libSQL) but the first decode dies with "undefined symbol:
// _ZN2v87Isolate10GetCurrentEv", killing the process. cbor-x's own switch
// keeps it on its pure-JS decoder; it is read when cbor-x is evaluated, so it
// is set here (unconditionally: any other value would crash) and everything
// that reaches cbor-x is imported dynamically below.
Deno.env.set("CBOR_NATIVE_ACCELERATION_DISABLED", "true");

const { configFromEnv } = await import("./config.ts");
const { startVerifier } = await import("./start.ts");
const { newKeyRingEntry } = await import("../src/secrets/envelope.ts");
const { contentTypeOf, keyOfFile, webAsset } = await import("./web-assets.ts");
type WebAssets = import("./web-assets.ts").WebAssets;

type SharpServices = Pick<import("./start.ts").Runtime, "fingerprint" | "thumbnail">;

/**
 * The perceptual fingerprint and the dashboard's thumbnails need sharp
 * (libvips, a Node-API addon). Deno loads Node-API addons with --allow-ffi,
 * and on Deno 2.9 sharp works (its fingerprints match the ones the camera made
 * under Node; the Deno test exercises this on every check). Where the addon is
 * missing or refuses to load, the verifier runs without it, as it would on an
 * edge runtime: fingerprints are simply not compared and captures are recorded
 * without thumbnails (both services are optional); every check is unchanged.
 */
async function loadSharp(): Promise<SharpServices> {
  try {
    const { fingerprintJpeg } = await import("../edge/sharp-fingerprint.ts");
    const { thumbnailJpeg } = await import("../edge/sharp-thumbnail.ts");
    return { fingerprint: fingerprintJpeg, thumbnail: thumbnailJpeg };
  } catch (error) {
    console.error(`verifier: sharp did not load under Deno, serving without fingerprint checks or thumbnails (${error instanceof Error ? error.message : String(error)})`);
    return {};
  }
}

/**
 * The web pages as `npm run build:web` wrote them (esbuild, which bundles them
 * under Node, does not run here), from SNAPSEAL_WEB_DIR or web/dist; without
 * them the verifier serves its API alone.
 */
async function loadWebAssets(): Promise<WebAssets | undefined> {
  const root = Deno.env.get("SNAPSEAL_WEB_DIR") ?? new URL("../web/dist", import.meta.url).pathname;
  const assets: WebAssets = new Map();
  try {
    for (const folder of ["pages", "assets"]) {
      for (const entry of Deno.readDirSync(`${root}/${folder}`)) {
        const key = keyOfFile(`${folder}/${entry.name}`);
        if (key) assets.set(key, await webAsset(Deno.readFileSync(`${root}/${folder}/${entry.name}`), contentTypeOf(entry.name)));
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    console.error(`verifier: no web pages in ${root} (npm run build:web makes them), serving the API only`);
    return undefined;
  }
  return assets;
}

function portFromEnv(): number {
  const raw = Deno.env.get("PORT");
  if (raw === undefined || raw === "") return 8787;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(raw)}`);
  return port;
}

/** The directory of a `file:` database, as verifier/node.ts reads it (the rest of the URL is a path). */
function databaseDirectory(databaseUrl: string): string | undefined {
  if (!databaseUrl.startsWith("file:")) return undefined;
  const path = databaseUrl.slice("file:".length);
  const slash = path.lastIndexOf("/");
  if (slash < 0) return undefined;
  return slash === 0 ? "/" : path.slice(0, slash);
}

const config = configFromEnv((name) => Deno.env.get(name), (path) => Deno.readTextFileSync(path));
const port = portFromEnv();
const directory = databaseDirectory(config.databaseUrl);
if (directory) Deno.mkdirSync(directory, { recursive: true });

/** As verifier/node.ts: without SNAPSEAL_SECRET_KEYS, a file: database keeps its sealing key in a 0600 file beside it. */
function localSecretKeys(): string | undefined {
  if (config.secretKeys || !config.databaseUrl.startsWith("file:")) return config.secretKeys;
  const file = `${directory ?? "."}/secret-keys`;
  try {
    Deno.writeTextFileSync(file, `${newKeyRingEntry("local")}\n`, { mode: 0o600, createNew: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  return Deno.readTextFileSync(file).trim();
}

const secretKeys = localSecretKeys();
const sharpServices = await loadSharp();
const webAssets = await loadWebAssets();
const started = await startVerifier(secretKeys ? { ...config, secretKeys } : config, {
  ...sharpServices,
  ...(webAssets ? { webAssets: () => Promise.resolve(webAssets) } : {}),
  peerAddress: (c) => (c.env as Deno.ServeHandlerInfo<Deno.NetAddr>).remoteAddr.hostname,
});

const server = Deno.serve(
  {
    hostname: "127.0.0.1",
    port,
    onListen: ({ hostname, port }) => {
      console.log(`SnapSeal verifier listening on http://${hostname}:${port}`);
    },
  },
  started.app.fetch,
);

let stopping = false;
const stop = async (signal: Deno.Signal) => {
  if (stopping) return;
  stopping = true;
  console.error(`verifier: ${signal}, shutting down`);
  try {
    await server.shutdown();
  } finally {
    started.close();
    Deno.removeSignalListener("SIGINT", onSigint);
    Deno.removeSignalListener("SIGTERM", onSigterm);
  }
};
const onSigint = () => void stop("SIGINT");
const onSigterm = () => void stop("SIGTERM");
Deno.addSignalListener("SIGINT", onSigint);
Deno.addSignalListener("SIGTERM", onSigterm);

await server.finished;
