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
  };
}
