import type { Client } from "@libsql/client";
import type { Context } from "hono";
import type { KeyRing } from "../src/secrets/envelope.ts";
import type { VerifierConfig } from "./config.ts";
import type { AnchorKeys } from "./db/server-keys.ts";
import type { ThumbnailQueue } from "./thumbnail-queue.ts";
import type { WebAssets } from "./web-assets.ts";

export interface Thumbnail {
  jpeg: Uint8Array;
  width: number;
  height: number;
}

/** What route handlers reach through `c.var.services`; app.ts builds it once. */
export interface Services {
  db: Client;
  config: VerifierConfig;
  anchorKeys: AnchorKeys;
  /** Manufacturer roots as DER. */
  trustedRoots: Uint8Array[];
  /** Runtime-specific picture decoder for telling altered from transplanted; absent where none is available. */
  fingerprint?: (jpeg: Uint8Array) => Promise<Uint8Array>;
  now: () => number;
  /** Seals owners' TOTP secrets; start.ts checks it against the database before serving. */
  secretKeys: KeyRing;
  /** The web pages and their scripts (web/build.ts under Node, web/dist under Deno); absent, no pages are served. */
  webAssets?: () => Promise<WebAssets>;
  /** Makes recorded captures' thumbnails after the sync is answered; absent, captures are recorded without them. */
  thumbnails?: ThumbnailQueue;
  /** The connection's peer address, from the runtime (node.ts, deno.ts); absent without a socket (app.request). */
  peerAddress?: PeerAddress;
}

export type PeerAddress = (c: Context) => string | undefined;

/** The signed-in owner, set by verifier/auth/require-owner.ts on routes that need one. */
export interface OwnerSession {
  ownerId: string;
  displayName: string;
  sessionId: string;
}

export interface AppEnv {
  Variables: { services: Services; owner: OwnerSession };
}
