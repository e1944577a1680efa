import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { getConnInfo } from "@hono/node-server/conninfo";
import { newKeyRingEntry } from "../src/secrets/envelope.ts";
import { type LoopbackServer, serveOnLoopback } from "../edge/serve-loopback.ts";
import { fingerprintJpeg } from "../edge/sharp-fingerprint.ts";
import { thumbnailJpeg } from "../edge/sharp-thumbnail.ts";
import { webAssetsOnce } from "../web/build.ts";
import "../edge/node-sha256.ts";
import "../edge/node-es256.ts";
import type { VerifierConfig } from "./config.ts";
import { type StartedVerifier, startVerifier } from "./start.ts";

export interface NodeVerifier extends StartedVerifier, LoopbackServer {}

/** Serves the verifier with @hono/node-server on 127.0.0.1. Port 0 picks a free one. */
export async function serveVerifier(config: VerifierConfig, port: number, runtime: { now?: () => number } = {}): Promise<NodeVerifier> {
  if (config.databaseUrl.startsWith("file:")) mkdirSync(dirname(config.databaseUrl.slice("file:".length)), { recursive: true });
  const started = await startVerifier(withLocalSecretKeys(config), {
    fingerprint: fingerprintJpeg,
    thumbnail: thumbnailJpeg,
    webAssets: webAssetsOnce,
    peerAddress: (c) => getConnInfo(c).remote.address,
    ...runtime,
  });
  return { ...started, ...(await serveOnLoopback(started.app.fetch, port, started.close)) };
}

/**
 * Zero set-up for the embedded database: without SNAPSEAL_SECRET_KEYS the key
 * that seals TOTP secrets lives in a file beside the database (mode 0600),
 * made on the first start. Production sets the variable (docs/operations.md).
 */
function withLocalSecretKeys(config: VerifierConfig): VerifierConfig {
  if (config.secretKeys || !config.databaseUrl.startsWith("file:")) return config;
  const path = config.databaseUrl.slice("file:".length);
  // An in-memory database forgets its secrets on exit, so its key may too.
  if (path === ":memory:") return { ...config, secretKeys: newKeyRingEntry("memory") };
  const file = join(dirname(path), "secret-keys");
  try {
    writeFileSync(file, `${newKeyRingEntry("local")}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return { ...config, secretKeys: readFileSync(file, "utf8").trim() };
}
