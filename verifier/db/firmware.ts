import type { Client, Transaction } from "@libsql/client";
import { ProvenanceError } from "../../src/errors.ts";
import { type KeySet, decodeKeySet, encodeKeySet } from "../../src/firmware/key-set.ts";
import { checkImage } from "../../src/firmware/read-image.ts";
import { type VerifiedRelease, verifyRelease } from "../../src/firmware/verify-manifest.ts";
import { versionSortKey } from "../../src/firmware/version.ts";

type Executor = Pick<Client | Transaction, "execute">;

/** The key set publishes are checked against: the configured one, or a newer one a published release rotated to. */
async function currentTrust(db: Executor, configured: KeySet): Promise<KeySet> {
  const row = (await db.execute({ sql: "SELECT key_set FROM firmware_key_sets WHERE version > ? ORDER BY version DESC LIMIT 1", args: [configured.version] })).rows[0];
  return row ? decodeKeySet(new Uint8Array(row.key_set as ArrayBuffer)) : configured;
}

/**
 * Publishes a release: it must verify against this verifier's trust exactly as
 * a camera would check it (so no other credential is needed to publish), be
 * unexpired, and come with its image. One write transaction, so two instances
 * publishing rotations at once cannot both advance the key set.
 */
export async function publishRelease(db: Client, configured: KeySet, releaseBytes: Uint8Array, image: Uint8Array, now: number): Promise<VerifiedRelease> {
  const tx = await db.transaction("write");
  try {
    const release = verifyRelease(releaseBytes, await currentTrust(tx, configured));
    const { manifest } = release;
    if (now >= manifest.expiresAt) throw new ProvenanceError("firmware_expired", `expired ${new Date(manifest.expiresAt).toISOString()}`);
    await checkImage(image, manifest);
    await tx.execute({ sql: "INSERT INTO firmware_images (sha256, size, bytes) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", args: [manifest.imageSha256, image.length, image] });
    const inserted = await tx.execute({
      sql: `INSERT INTO firmware_releases (model, version, version_key, image_sha256, key_set_version, release, expires_at, published_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      args: [manifest.model, manifest.version, versionSortKey(manifest.version), manifest.imageSha256, release.nextKeySet?.version ?? null, releaseBytes, manifest.expiresAt, now],
    });
    if (inserted.rowsAffected === 0) throw new ProvenanceError("firmware_version_exists", `${manifest.model} ${manifest.version}`);
    if (release.nextKeySet) {
      await tx.execute({ sql: "INSERT INTO firmware_key_sets (version, key_set, accepted_at) VALUES (?, ?, ?)", args: [release.nextKeySet.version, encodeKeySet(release.nextKeySet), now] });
    }
    await tx.commit();
    return release;
  } finally {
    tx.close();
  }
}

/**
 * The release a camera should take next. A camera names the key set it holds;
 * if a release rotates past it, the earliest such release comes first (as a
 * TUF client walks root versions one by one), since later releases may be
 * signed by keys the camera learns only from it. Otherwise the newest version.
 */
export async function nextRelease(db: Client, model: string, heldKeySetVersion: number | undefined): Promise<Uint8Array | null> {
  if (heldKeySetVersion !== undefined) {
    const rotation = (
      await db.execute({
        sql: "SELECT release FROM firmware_releases WHERE model = ? AND key_set_version > ? ORDER BY key_set_version, version_key LIMIT 1",
        args: [model, heldKeySetVersion],
      })
    ).rows[0];
    if (rotation) return new Uint8Array(rotation.release as ArrayBuffer);
  }
  const latest = (await db.execute({ sql: "SELECT release FROM firmware_releases WHERE model = ? ORDER BY version_key DESC LIMIT 1", args: [model] })).rows[0];
  return latest ? new Uint8Array(latest.release as ArrayBuffer) : null;
}

export async function firmwareImage(db: Client, sha256: Uint8Array): Promise<Uint8Array | null> {
  const row = (await db.execute({ sql: "SELECT bytes FROM firmware_images WHERE sha256 = ?", args: [sha256] })).rows[0];
  return row ? new Uint8Array(row.bytes as ArrayBuffer) : null;
}
