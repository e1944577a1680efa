import type { Client } from "@libsql/client";
import type { KeyRing } from "../src/secrets/envelope.ts";
import type { AttemptLimit } from "../verifier/db/second-factor.ts";
import type { PeerAddress } from "../verifier/services.ts";
import type { CosignerKey } from "./db/keys.ts";
import type { CosignAttempt } from "./db/log.ts";

/** What the co-signer's handlers reach through `c.var.services`. */
export interface CosignerServices {
  db: Client;
  /** Seals operators' TOTP secrets and the signing key. */
  secretKeys: KeyRing;
  signingKey: CosignerKey;
  /** Failed TOTP attempts allowed per operator in a sliding window. */
  attemptLimit: AttemptLimit;
  /** Failed attempts allowed per client address, whichever operators they name. */
  addressAttemptLimit: AttemptLimit;
  /** The connection's peer address, from the runtime (node.ts); absent without a socket (app.request). */
  peerAddress?: PeerAddress;
  now: () => number;
}

export interface CosignerEnv {
  Variables: { services: CosignerServices; attempt: CosignAttempt };
}

export const DEFAULT_ATTEMPT_LIMIT: AttemptLimit = { max: 5, windowMs: 15 * 60_000 };
export const DEFAULT_ADDRESS_ATTEMPT_LIMIT: AttemptLimit = { max: 20, windowMs: 15 * 60_000 };
