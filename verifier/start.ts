import "reflect-metadata";
import { X509Certificate } from "@peculiar/x509";
import { type VerifierApp, createApp } from "./app.ts";
import type { VerifierConfig } from "./config.ts";
import { openVerifierDb } from "./db/open.ts";
import { loadAnchorKeys } from "./db/server-keys.ts";
import type { Services } from "./services.ts";

export interface StartedVerifier {
  app: VerifierApp;
  services: Services;
  close(): void;
}

/**
 * Opens the database (migrating it), loads keys and trust roots, and builds
 * the app. Runtime-neutral: the Node and Deno entry points and the tests call it.
 */
export async function startVerifier(
  config: VerifierConfig,
  runtime: { fingerprint?: (jpeg: Uint8Array) => Promise<Uint8Array>; now?: () => number } = {},
): Promise<StartedVerifier> {
  const trustedRoots = config.trustedRootsPem.map((pem) => new Uint8Array(new X509Certificate(pem).rawData));
  const db = await openVerifierDb(config.databaseUrl, config.databaseAuthToken);
  const services: Services = {
    db,
    config,
    anchorKeys: await loadAnchorKeys(db),
    trustedRoots,
    now: runtime.now ?? Date.now,
    ...(runtime.fingerprint ? { fingerprint: runtime.fingerprint } : {}),
  };
  return { app: createApp(services), services, close: () => db.close() };
}
