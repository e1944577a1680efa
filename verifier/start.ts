import "reflect-metadata";
import { X509Certificate } from "@peculiar/x509";
import { type VerifierApp, createApp } from "./app.ts";
import type { VerifierConfig } from "./config.ts";
import { openVerifierDb } from "./db/open.ts";
import { keyRingFor } from "./db/second-factor.ts";
import { loadAnchorKeys } from "./db/server-keys.ts";
import { ThumbnailQueue } from "./thumbnail-queue.ts";
import type { Services, Thumbnail } from "./services.ts";
import type { KeyRing } from "../src/secrets/envelope.ts";

const SECRET_KEYS_SETTING = "SNAPSEAL_SECRET_KEYS";

/** What the runtime's entry point (node.ts, deno.ts) supplies. */
export interface Runtime extends Pick<Partial<Services>, "fingerprint" | "now" | "peerAddress" | "webAssets"> {
  /** The runtime's thumbnailer for the owner dashboard (sharp); absent, captures are recorded without thumbnails. */
  thumbnail?: (jpeg: Uint8Array) => Promise<Thumbnail>;
}

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
  runtime: Runtime = {},
): Promise<StartedVerifier> {
  const trustedRoots = config.trustedRootsPem.map((pem) => new Uint8Array(new X509Certificate(pem).rawData));
  if (!config.secretKeys) throw new Error(`${SECRET_KEYS_SETTING} is not set: give the key ring that seals TOTP secrets (see docs/operations.md)`);
  const now = runtime.now ?? Date.now;
  const db = await openVerifierDb(config.databaseUrl, config.databaseAuthToken);
  let secretKeys: KeyRing;
  try {
    secretKeys = await keyRingFor(db, config.secretKeys, SECRET_KEYS_SETTING, now());
  } catch (error) {
    db.close();
    throw error;
  }
  const services: Services = {
    db,
    config,
    anchorKeys: await loadAnchorKeys(db),
    trustedRoots,
    now,
    secretKeys,
    ...(runtime.fingerprint ? { fingerprint: runtime.fingerprint } : {}),
    ...(runtime.peerAddress ? { peerAddress: runtime.peerAddress } : {}),
    ...(runtime.webAssets ? { webAssets: runtime.webAssets } : {}),
    ...(runtime.thumbnail ? { thumbnails: new ThumbnailQueue(db, runtime.thumbnail) } : {}),
  };
  return {
    app: createApp(services),
    services,
    close: () => {
      services.thumbnails?.close();
      db.close();
    },
  };
}
