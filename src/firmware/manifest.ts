import { type CborValue, encodeCanonical } from "../cbor/canonical.ts";
import { shapeOf } from "../cbor/shape.ts";
import { ProvenanceError } from "../errors.ts";
import { type KeySet, isKeyId, keySetFromCbor, keySetToCbor } from "./key-set.ts";
import { compareVersions, isVersion } from "./version.ts";

/**
 * What a camera is told to install, as a deterministic-CBOR map. Every field the
 * camera acts on is in here and signed as these exact bytes: nothing outside the
 * manifest (an HTTP header, an unsigned wrapper field) can change what it
 * installs. docs/firmware.md gives the encoding byte by byte.
 */
export const MANIFEST_DOMAIN = "snapseal/firmware-manifest/v1";
/** The largest image a manifest may declare; a camera never reads more than the declared size. */
export const MAX_IMAGE_BYTES = 64 * 1024 * 1024;
export const MAX_MANIFEST_BYTES = 8 * 1024;
const MAX_KEY_IDS = 32;
const MAX_URL_LENGTH = 2048;

export interface FirmwareManifest {
  model: string;
  version: string;
  /** The oldest installed version this image may be installed over. */
  minVersion?: string;
  imageSha256: Uint8Array;
  size: number;
  url: string;
  releasedAt: number;
  expiresAt: number;
  /** The keys whose signatures this release carries. */
  keyIds: string[];
  /** A new key set for the camera to rotate to (see verify-manifest.ts). */
  keySet?: KeySet;
}

const shape = shapeOf("firmware_manifest_malformed");

function fail(detail: string): never {
  throw new ProvenanceError("firmware_manifest_malformed", detail);
}

export function encodeManifest(manifest: FirmwareManifest): Uint8Array {
  const bytes = encodeCanonical(manifestMap(manifest));
  // Whatever we sign must be something every camera reads back the same way.
  decodeManifest(bytes);
  return bytes;
}

/** The manifest as the CBOR map that is signed, before encoding. */
export function manifestMap(manifest: FirmwareManifest): Map<string, CborValue> {
  const map = new Map<string, CborValue>([
    ["d", MANIFEST_DOMAIN],
    ["model", manifest.model],
    ["version", manifest.version],
    ["imageSha256", manifest.imageSha256],
    ["size", manifest.size],
    ["url", manifest.url],
    ["releasedAt", manifest.releasedAt],
    ["expiresAt", manifest.expiresAt],
    ["keyIds", [...manifest.keyIds]],
  ]);
  if (manifest.minVersion !== undefined) map.set("minVersion", manifest.minVersion);
  if (manifest.keySet) map.set("keySet", keySetToCbor(manifest.keySet));
  return map;
}

export function decodeManifest(bytes: Uint8Array): FirmwareManifest {
  const map = shape.map(
    shape.decode(bytes, MAX_MANIFEST_BYTES),
    "manifest",
    ["d", "model", "version", "imageSha256", "size", "url", "releasedAt", "expiresAt", "keyIds"],
    ["minVersion", "keySet"],
  );
  if (map.get("d") !== MANIFEST_DOMAIN) fail(`manifest.d must be ${MANIFEST_DOMAIN}`);
  const version = versionField(map.get("version"), "manifest.version");
  const minVersion = map.has("minVersion") ? versionField(map.get("minVersion"), "manifest.minVersion") : undefined;
  if (minVersion !== undefined && compareVersions(minVersion, version) > 0) fail("manifest.minVersion is newer than manifest.version");
  const releasedAt = shape.uint(map.get("releasedAt"), "manifest.releasedAt");
  const expiresAt = shape.uint(map.get("expiresAt"), "manifest.expiresAt");
  if (expiresAt <= releasedAt) fail("manifest.expiresAt must be later than manifest.releasedAt");
  const manifest: FirmwareManifest = {
    model: shape.text(map.get("model"), "manifest.model", 64),
    version,
    imageSha256: shape.bytes(map.get("imageSha256"), "manifest.imageSha256", { exactly: 32 }),
    size: shape.uint(map.get("size"), "manifest.size", MAX_IMAGE_BYTES),
    url: urlField(map.get("url")),
    releasedAt,
    expiresAt,
    keyIds: keyIdsField(map.get("keyIds")),
  };
  if (manifest.size === 0) fail("manifest.size must be at least 1");
  if (minVersion !== undefined) manifest.minVersion = minVersion;
  if (map.has("keySet")) manifest.keySet = keySetFromCbor(map.get("keySet"), "firmware_manifest_malformed");
  return manifest;
}

function versionField(value: CborValue | undefined, name: string): string {
  const text = shape.text(value, name, 32);
  if (!isVersion(text)) fail(`${name} must be MAJOR.MINOR.PATCH`);
  return text;
}

function urlField(value: CborValue | undefined): string {
  const text = shape.text(value, "manifest.url", MAX_URL_LENGTH);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail("manifest.url is not a URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") fail("manifest.url must be http(s)");
  return text;
}

function keyIdsField(value: CborValue | undefined): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_KEY_IDS) fail(`manifest.keyIds must be an array of 1 to ${MAX_KEY_IDS} key ids`);
  const kids = (value as CborValue[]).map((kid) => {
    if (!isKeyId(kid)) fail("manifest.keyIds entries must be 64-character lowercase hex key ids");
    return kid;
  });
  if (new Set(kids).size !== kids.length) fail("manifest.keyIds lists a key twice");
  return kids;
}
