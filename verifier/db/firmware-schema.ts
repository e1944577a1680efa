/**
 * Migration 3: firmware releases the verifier distributes. A release is stored
 * as the signed bytes the camera verifies, never re-encoded; its image is
 * stored once per hash. Key sets that releases rotated to are kept, so this
 * verifier goes on accepting releases signed by the new keys.
 */
export const FIRMWARE_TABLES: string[] = [
  `CREATE TABLE firmware_images (
     sha256 BLOB PRIMARY KEY,
     size INTEGER NOT NULL,
     bytes BLOB NOT NULL)`,
  `CREATE TABLE firmware_releases (
     model TEXT NOT NULL,
     version TEXT NOT NULL,
     version_key TEXT NOT NULL,
     image_sha256 BLOB NOT NULL REFERENCES firmware_images (sha256),
     key_set_version INTEGER,
     release BLOB NOT NULL,
     expires_at INTEGER NOT NULL,
     published_at INTEGER NOT NULL,
     PRIMARY KEY (model, version))`,
  `CREATE INDEX firmware_releases_by_version ON firmware_releases (model, version_key)`,
  `CREATE INDEX firmware_releases_by_key_set ON firmware_releases (model, key_set_version)`,
  `CREATE TABLE firmware_key_sets (
     version INTEGER PRIMARY KEY,
     key_set BLOB NOT NULL,
     accepted_at INTEGER NOT NULL)`,
];
