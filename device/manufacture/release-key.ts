import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fromBase64Url, toBase64Url } from "../../src/bytes.ts";
import { ed25519PublicKeyOf, newEd25519KeyPair } from "../../src/crypto/ed25519.ts";
import { type FirmwareKey, type KeySet, firmwareKeyFromJson, firmwareKeyOf, firmwareKeyToJson, initialKeySet, keySetToJson, parseKeySetJson } from "../../src/firmware/key-set.ts";

/**
 * The vendor's firmware release key, in files beside the attestation CA:
 * `release-key.json` (the Ed25519 secret key, mode 0600) and
 * `release-key.pub.json` ({kid, alg, publicKey}), which goes to the co-signer
 * (`cosigner key accept`) and into the cameras' key set (`firmware trust`).
 */
export const RELEASE_KEY_FILE = "release-key.json";
export const RELEASE_PUBLIC_KEY_FILE = "release-key.pub.json";

export interface ReleaseKey {
  key: FirmwareKey;
  secretKey: Uint8Array;
}

/** Refuses to overwrite: a replaced release key would sign firmware no camera installs. */
export async function createReleaseKey(dir: string): Promise<FirmwareKey> {
  const pair = newEd25519KeyPair();
  const key = firmwareKeyOf(pair.publicKey);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const secretPath = join(dir, RELEASE_KEY_FILE);
  try {
    await writeFile(secretPath, JSON.stringify({ kid: key.kid, alg: key.alg, secretKey: toBase64Url(pair.secretKey) }, null, 2) + "\n", { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new Error(`${dir} already holds a release key`);
    throw error;
  }
  try {
    await writeFile(join(dir, RELEASE_PUBLIC_KEY_FILE), JSON.stringify(firmwareKeyToJson(key), null, 2) + "\n", { flag: "wx" });
  } catch (error) {
    await rm(secretPath);
    throw error;
  }
  return key;
}

export async function loadReleaseKey(dir: string): Promise<ReleaseKey> {
  const path = join(dir, RELEASE_KEY_FILE);
  let json: { kid?: unknown; secretKey?: unknown };
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new Error(`cannot read the release key ${path}: ${(error as Error).message}`);
  }
  let secretKey: Uint8Array;
  try {
    secretKey = fromBase64Url(String(json.secretKey));
  } catch {
    throw new Error(`${path} holds no base64url secretKey`);
  }
  if (secretKey.length !== 32) throw new Error(`${path} holds no 32-byte Ed25519 secret key`);
  const key = firmwareKeyOf(ed25519PublicKeyOf(secretKey));
  if (key.kid !== json.kid) throw new Error(`${path}: the key id does not match the key`);
  return { key, secretKey };
}

/** A public key file, as keygen and `cosigner init` write it. */
export async function readPublicKeyFile(path: string): Promise<FirmwareKey> {
  return firmwareKeyFromJson(JSON.parse(await readFile(path, "utf8")), path);
}

export async function readKeySetFile(path: string): Promise<KeySet> {
  return parseKeySetJson(await readFile(path, "utf8"));
}

/** The key set cameras are manufactured with: the vendor's release key and the co-signer's key, both required. */
export async function writeInitialKeySet(path: string, keys: FirmwareKey[]): Promise<KeySet> {
  const keySet = initialKeySet(keys);
  await writeFile(path, JSON.stringify(keySetToJson(keySet), null, 2) + "\n", { flag: "wx" });
  return keySet;
}
