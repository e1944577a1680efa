import type { AttemptLimit } from "./db/second-factor.ts";
import { type KeySet, parseKeySetJson } from "../src/firmware/key-set.ts";

/**
 * Verifier settings. Everything has a default that works on one machine with
 * no set-up; environment variables override them (see docs/operations.md).
 */
export interface VerifierConfig {
  /** `file:` path (embedded, the default) or a libsql:// / http:// URL of a libSQL server. */
  databaseUrl: string;
  databaseAuthToken?: string;
  /** The WebAuthn relying party: devices register for it and sign for it. */
  rpId: string;
  origin: string;
  /** PEM files of the manufacturer roots whose attestation certificates are accepted. */
  trustedRootsPem: string[];
  /** How long a camera may stay offline before its captures are refused at sync. */
  offlineWindowMs: number;
  /** How far a camera clock may run ahead of the verifier's. */
  clockSkewMs: number;
  /** Largest accepted sync batch, in bytes. */
  maxBatchBytes: number;
  /** Largest single photo (sync and check), in bytes. */
  maxPhotoBytes: number;
  /** Most photos in one sync batch. */
  maxBatchPhotos: number;
  registrationChallengeTtlMs: number;
  /** How long a challenge a camera signs to prove it holds its credential (pairing, status) lives. */
  deviceChallengeTtlMs: number;
  /** How long a camera's pairing code waits for an owner to enter it. */
  pairingCodeTtlMs: number;
  /** How often a camera showing a pairing code asks whether it was claimed. */
  pairingPollIntervalMs: number;
  /** How long a transfer code waits for the receiving owner. */
  transferCodeTtlMs: number;
  /** Wrong pairing or transfer codes allowed per owner in a sliding window. */
  codeAttemptLimit: AttemptLimit;
  /** The firmware key set releases must verify against to be published; without one, nothing is. */
  firmwareTrust?: KeySet;
  /** Key ring sealing TOTP secrets, "kid:base64url32[,kid:key…]", the first seals; node.ts makes a key file when absent. */
  secretKeys?: string;
  /** scrypt cost N = 2^passwordCostLog2; stored hashes below it are re-hashed at the next sign-in. */
  passwordCostLog2: number;
  /** Lifetime of a signed-in (password and second factor) session. */
  sessionTtlMs: number;
  /** Lifetime of a session that has passed the password only (waiting for a code, or for TOTP enrolment). */
  pendingSessionTtlMs: number;
  /** Failed password or code attempts allowed per account, and per client address, in a sliding window. */
  accountAttemptLimit: AttemptLimit;
  addressAttemptLimit: AttemptLimit;
  /** Sign-ups (accounts made or addresses found taken) allowed per client address in a sliding window. */
  signUpLimit: AttemptLimit;
  /** Take the client address from the last X-Forwarded-For entry (only behind a proxy that sets it). */
  trustProxy: boolean;
}

const DAY = 86_400_000;

export const defaultConfig: Omit<VerifierConfig, "trustedRootsPem"> = {
  databaseUrl: "file:.snapseal/verifier.db",
  rpId: "snapseal.localhost",
  origin: "https://snapseal.localhost",
  offlineWindowMs: 30 * DAY,
  clockSkewMs: 5 * 60_000,
  maxBatchBytes: 128 * 1024 * 1024,
  maxPhotoBytes: 40 * 1024 * 1024,
  maxBatchPhotos: 64,
  registrationChallengeTtlMs: 5 * 60_000,
  deviceChallengeTtlMs: 2 * 60_000,
  pairingCodeTtlMs: 10 * 60_000,
  pairingPollIntervalMs: 2_000,
  transferCodeTtlMs: DAY,
  codeAttemptLimit: { max: 5, windowMs: 15 * 60_000 },
  passwordCostLog2: 15,
  sessionTtlMs: 12 * 3_600_000,
  pendingSessionTtlMs: 15 * 60_000,
  accountAttemptLimit: { max: 5, windowMs: 15 * 60_000 },
  addressAttemptLimit: { max: 20, windowMs: 15 * 60_000 },
  signUpLimit: { max: 20, windowMs: 3_600_000 },
  trustProxy: false,
};

/** Reads the environment; `read` is injected so Node and Deno entry points can share this. */
export function configFromEnv(read: (name: string) => string | undefined, readFile: (path: string) => string): VerifierConfig {
  const number = (name: string, fallback: number): number => {
    const raw = read(name);
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
    return value;
  };
  const roots = (read("SNAPSEAL_TRUSTED_ROOTS") ?? "").split(",").map((path) => path.trim()).filter(Boolean);
  const authToken = read("DATABASE_AUTH_TOKEN");
  const firmwareKeys = read("SNAPSEAL_FIRMWARE_KEYS");
  let firmwareTrust: KeySet | undefined;
  try {
    firmwareTrust = firmwareKeys ? parseKeySetJson(readFile(firmwareKeys)) : undefined;
  } catch (error) {
    throw new Error(`SNAPSEAL_FIRMWARE_KEYS (${firmwareKeys}): ${(error as Error).message}`);
  }
  const secretKeys = read("SNAPSEAL_SECRET_KEYS");
  const attemptWindowMs = number("SNAPSEAL_ATTEMPT_WINDOW_MINUTES", defaultConfig.accountAttemptLimit.windowMs / 60_000) * 60_000;
  const passwordCostLog2 = number("SNAPSEAL_PASSWORD_COST_LOG2", defaultConfig.passwordCostLog2);
  if (!Number.isInteger(passwordCostLog2) || passwordCostLog2 < 14 || passwordCostLog2 > 20) {
    throw new Error(`SNAPSEAL_PASSWORD_COST_LOG2 must be an integer from 14 to 20, got ${passwordCostLog2}`);
  }
  return {
    databaseUrl: read("DATABASE_URL") || defaultConfig.databaseUrl,
    ...(authToken ? { databaseAuthToken: authToken } : {}),
    rpId: read("SNAPSEAL_RP_ID") || defaultConfig.rpId,
    origin: read("SNAPSEAL_ORIGIN") || defaultConfig.origin,
    trustedRootsPem: roots.map((path) => readFile(path)),
    offlineWindowMs: number("SNAPSEAL_OFFLINE_WINDOW_DAYS", defaultConfig.offlineWindowMs / DAY) * DAY,
    clockSkewMs: number("SNAPSEAL_CLOCK_SKEW_SECONDS", defaultConfig.clockSkewMs / 1000) * 1000,
    maxBatchBytes: number("SNAPSEAL_MAX_BATCH_MB", defaultConfig.maxBatchBytes / 2 ** 20) * 2 ** 20,
    maxPhotoBytes: number("SNAPSEAL_MAX_PHOTO_MB", defaultConfig.maxPhotoBytes / 2 ** 20) * 2 ** 20,
    maxBatchPhotos: number("SNAPSEAL_MAX_BATCH_PHOTOS", defaultConfig.maxBatchPhotos),
    registrationChallengeTtlMs: defaultConfig.registrationChallengeTtlMs,
    deviceChallengeTtlMs: defaultConfig.deviceChallengeTtlMs,
    pairingCodeTtlMs: number("SNAPSEAL_PAIRING_CODE_MINUTES", defaultConfig.pairingCodeTtlMs / 60_000) * 60_000,
    pairingPollIntervalMs: defaultConfig.pairingPollIntervalMs,
    transferCodeTtlMs: number("SNAPSEAL_TRANSFER_CODE_HOURS", defaultConfig.transferCodeTtlMs / 3_600_000) * 3_600_000,
    codeAttemptLimit: defaultConfig.codeAttemptLimit,
    ...(firmwareTrust ? { firmwareTrust } : {}),
    ...(secretKeys ? { secretKeys } : {}),
    passwordCostLog2,
    sessionTtlMs: number("SNAPSEAL_SESSION_HOURS", defaultConfig.sessionTtlMs / 3_600_000) * 3_600_000,
    pendingSessionTtlMs: defaultConfig.pendingSessionTtlMs,
    accountAttemptLimit: { max: number("SNAPSEAL_ACCOUNT_ATTEMPTS", defaultConfig.accountAttemptLimit.max), windowMs: attemptWindowMs },
    addressAttemptLimit: { max: number("SNAPSEAL_ADDRESS_ATTEMPTS", defaultConfig.addressAttemptLimit.max), windowMs: attemptWindowMs },
    signUpLimit: { max: number("SNAPSEAL_SIGNUPS_PER_HOUR", defaultConfig.signUpLimit.max), windowMs: defaultConfig.signUpLimit.windowMs },
    trustProxy: read("SNAPSEAL_TRUST_PROXY") === "1",
  };
}
