import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { join } from "node:path";
import { toBase64Url, toHex } from "../../src/bytes.ts";
import { sha256 } from "../../src/crypto/sha256.ts";
import { ed25519PublicKeyOf, newEd25519KeyPair } from "../../src/crypto/ed25519.ts";
import { type KeySet, firmwareKeyOf, initialKeySet } from "../../src/firmware/key-set.ts";
import { TOTP_PERIOD_SECONDS, totpCodeAt } from "../../src/totp/totp-code.ts";
import { type FirmwareManifest, encodeManifest } from "../../src/firmware/manifest.ts";
import { type FirmwareSignature, encodeRelease, signManifest } from "../../src/firmware/release.ts";
import { type Camera, openCamera } from "../../device/camera.ts";
import { manufactureCamera } from "../../device/manufacture/manufacture-camera.ts";
import type { ReleaseKey } from "../../device/manufacture/release-key.ts";
import { registerCamera } from "../../device/register.ts";
import { type World, createWorld } from "../support/world.ts";

const root = join(import.meta.dirname, "..", "..");

export const MODEL = "Acme X1";
export const DAY = 86_400_000;

export function newReleaseKey(): ReleaseKey {
  const { secretKey } = newEd25519KeyPair();
  return { key: firmwareKeyOf(ed25519PublicKeyOf(secretKey)), secretKey };
}

/** The two keys of the design, and the version-1 key set cameras are made with. */
export interface Keys {
  vendor: ReleaseKey;
  cosigner: ReleaseKey;
  keySet: KeySet;
}

export function newKeys(): Keys {
  const vendor = newReleaseKey();
  const cosigner = newReleaseKey();
  return { vendor, cosigner, keySet: initialKeySet([vendor.key, cosigner.key]) };
}

/** A recognisable, deterministic image of `size` bytes. */
export function firmwareImage(version: string, size = 4096): Uint8Array {
  const image = new Uint8Array(size);
  const seed = [...version].reduce((sum, char) => sum * 31 + char.charCodeAt(0), 7);
  for (let index = 0; index < size; index++) image[index] = (seed + index * 13) & 0xff;
  return image;
}

export async function manifestFor(image: Uint8Array, server: string, fields: Partial<FirmwareManifest> & { version: string }, keys: Keys): Promise<FirmwareManifest> {
  const imageSha256 = await sha256(image);
  const releasedAt = fields.releasedAt ?? Date.now() - 60_000;
  return {
    model: MODEL,
    imageSha256,
    size: image.length,
    url: `${server}/v1/firmware/images/${toHex(imageSha256)}`,
    releasedAt,
    expiresAt: releasedAt + 30 * DAY,
    keyIds: [keys.vendor.key.kid, keys.cosigner.key.kid],
    ...fields,
  };
}

/** A release: the manifest's bytes signed by each of `signers`, as the release tool and co-signer would. */
export function signRelease(manifest: FirmwareManifest | Uint8Array, signers: ReleaseKey[], extra: FirmwareSignature[] = []): Uint8Array {
  const bytes = manifest instanceof Uint8Array ? manifest : encodeManifest(manifest);
  return encodeRelease(bytes, [...signers.map((signer) => signManifest(signer.secretKey, bytes)), ...extra]);
}

export async function publish(server: string, release: Uint8Array, image: Uint8Array): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append("release", new Blob([release as Uint8Array<ArrayBuffer>]), "release.cbor");
  form.append("image", new Blob([image as Uint8Array<ArrayBuffer>]), "image.bin");
  const response = await fetch(`${server}/v1/firmware`, { method: "POST", body: form });
  return { status: response.status, body: await response.json() };
}

export interface FirmwareWorld extends World {
  keys: Keys;
  /** A registered camera of MODEL with firmware 1.0.0 and the key set. */
  newFirmwareCamera(options?: { register?: boolean; keySet?: KeySet }): Promise<Camera>;
  /** Signs with both keys and publishes; returns the release bytes. */
  release(version: string, fields?: Partial<FirmwareManifest>, image?: Uint8Array): Promise<Uint8Array>;
}

let cameras = 0;

export async function createFirmwareWorld(keys: Keys = newKeys()): Promise<FirmwareWorld> {
  const world = await createWorld({ firmwareTrust: keys.keySet });
  const opened: Camera[] = [];
  return {
    ...world,
    keys,
    async newFirmwareCamera(options = {}) {
      const dir = join(world.dir, `fw-camera-${++cameras}`);
      await manufactureCamera(world.ca, { dir, serial: `FW-${process.pid}-${cameras}`, model: MODEL, firmware: "1.0.0", firmwareKeys: options.keySet ?? keys.keySet });
      const camera = await openCamera(dir);
      opened.push(camera);
      if (options.register !== false) await registerCamera(camera, world.verifier.url);
      return camera;
    },
    async release(version, fields = {}, image = firmwareImage(version)) {
      const release = signRelease(await manifestFor(image, world.verifier.url, { version, ...fields }, keys), [keys.vendor, keys.cosigner]);
      const published = await publish(world.verifier.url, release, image);
      if (published.status !== 201) throw new Error(`publishing ${version} failed: ${JSON.stringify(published.body)}`);
      return release;
    },
    async close() {
      for (const camera of opened) camera.db.close();
      await world.close();
    },
  };
}

/** Reopens a camera: what a restart does, boot included. */
export async function reboot(camera: Camera): Promise<Camera> {
  camera.db.close();
  return openCamera(camera.paths.dir);
}

/**
 * A six-digit code that matches no step from two before to two after `now`:
 * wrong at a server whose clock is within a step of `now`, whatever the second.
 */
export function wrongCode(secret: string, now: number): string {
  const near = new Set([-2, -1, 0, 1, 2].map((delta) => totpCodeAt(secret, now + delta * TOTP_PERIOD_SECONDS * 1000)));
  for (let candidate = 0; ; candidate++) {
    const code = String(candidate).padStart(6, "0");
    if (!near.has(code)) return code;
  }
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The real CLI in a child, run directly (not through bin/snapseal.mjs, whose
 * extra process would turn a SIGKILL into an exit status), so a test can see
 * that the updater died abruptly.
 */
export function snapseal(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(root, "cli", "main.ts"), ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * A hostile firmware server (what an attacker who controls the network or the
 * distribution server can answer): it serves whatever release and image bytes
 * the test gives it, or an image that never ends.
 */
export interface Mirror {
  url: string;
  offer(release: Uint8Array | null): void;
  image(sha256Hex: string, bytes: Uint8Array | "endless"): void;
  /** Bytes of the endless image sent, and whether the client hung up before the cap. */
  endless: { sent: number; clientClosed: boolean; done: Promise<void> };
  close(): Promise<void>;
}

export const ENDLESS_CAP = 64 * 1024 * 1024;

export async function startMirror(): Promise<Mirror> {
  let offered: Uint8Array | null = null;
  const images = new Map<string, Uint8Array | "endless">();
  let finished!: () => void;
  const endless = { sent: 0, clientClosed: false, done: new Promise<void>((resolve) => (finished = resolve)) };
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://mirror").pathname;
    const json = (status: number, body: unknown) => response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (path === "/v1/firmware/latest") {
      return offered ? json(200, { release: toBase64Url(offered) }) : json(404, { error: { code: "not_found", message: "none" } });
    }
    const image = images.get(path.slice("/v1/firmware/images/".length));
    if (!image) return json(404, { error: { code: "not_found", message: "none" } });
    if (image !== "endless") return response.writeHead(200, { "content-type": "application/octet-stream" }).end(image);
    response.writeHead(200, { "content-type": "application/octet-stream" });
    const chunk = new Uint8Array(64 * 1024).fill(0x5a);
    response.on("close", () => {
      endless.clientClosed = endless.sent < ENDLESS_CAP;
      finished();
    });
    const pump = () => {
      while (endless.sent < ENDLESS_CAP && !response.destroyed) {
        endless.sent += chunk.length;
        if (!response.write(chunk)) return void response.once("drain", pump);
      }
      if (!response.destroyed) response.end();
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    offer: (release) => (offered = release),
    image: (hex, bytes) => images.set(hex, bytes),
    endless,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
