import "reflect-metadata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { X509Certificate } from "@peculiar/x509";
import { type Camera, openCamera } from "../../device/camera.ts";
import { captureAndQueue, type QueuedCapture } from "../../device/capture.ts";
import { manufactureCamera } from "../../device/manufacture/manufacture-camera.ts";
import { type VendorCa, createVendorCa } from "../../device/manufacture/vendor-ca.ts";
import { registerCamera } from "../../device/register.ts";
import { readSensor } from "../../device/sensor.ts";
import { type VerifierConfig, defaultConfig } from "../../verifier/config.ts";
import { type NodeVerifier, serveVerifier } from "../../verifier/node.ts";

/**
 * A small real world for tests: a temporary directory, a vendor CA, a verifier
 * on 127.0.0.1 with its own libSQL file, and cameras made at the factory.
 */
export interface World {
  dir: string;
  ca: VendorCa;
  rootPem: string;
  verifier: NodeVerifier;
  newCamera(serial?: string, options?: { register?: boolean }): Promise<Camera>;
  close(): Promise<void>;
}

let serials = 0;

export async function createWorld(overrides: Partial<VerifierConfig> = {}, runtime: { now?: () => number } = {}): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), "snapseal-test-"));
  const ca = await createVendorCa({ vendor: "Acme Optics", country: "DE" });
  const rootPem = new X509Certificate(ca.certificate as Uint8Array<ArrayBuffer>).toString("pem");
  const verifier = await serveVerifier({ ...defaultConfig, databaseUrl: `file:${join(dir, "verifier.db")}`, trustedRootsPem: [rootPem], ...overrides }, 0, runtime);
  const cameras: Camera[] = [];
  return {
    dir,
    ca,
    rootPem,
    verifier,
    async newCamera(serial = `SN-${process.pid}-${++serials}`, options = {}) {
      const cameraDir = join(dir, `camera-${serial}`);
      await manufactureCamera(ca, { dir: cameraDir, serial, model: "Acme X1", firmware: "1.0.0" });
      const camera = await openCamera(cameraDir);
      cameras.push(camera);
      if (options.register !== false) await registerCamera(camera, verifier.url);
      return camera;
    },
    async close() {
      for (const camera of cameras) camera.db.close();
      await verifier.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Captures a simulated sensor frame (640x480 unless told) and queues it. */
export async function capture(
  camera: Camera,
  seed: number,
  options: { capturedAt?: number; width?: number; height?: number; nonce?: Uint8Array } = {},
): Promise<QueuedCapture> {
  const frame = await readSensor({ width: options.width ?? 640, height: options.height ?? 480, seed });
  return captureAndQueue(camera, {
    jpeg: frame.jpeg,
    fingerprint: frame.fingerprint,
    source: "sensor",
    ...(options.capturedAt === undefined ? {} : { capturedAt: options.capturedAt }),
    ...(options.nonce ? { nonce: options.nonce } : {}),
  });
}

export async function checkPhoto(verifier: NodeVerifier, jpeg: Uint8Array): Promise<{ status: number; body: any }> {
  const response = await fetch(`${verifier.url}/v1/provenance/check`, {
    method: "POST",
    headers: { "content-type": "image/jpeg" },
    body: jpeg as Uint8Array<ArrayBuffer>,
  });
  return { status: response.status, body: await response.json() };
}

export async function postBatch(verifier: NodeVerifier, photos: Uint8Array[]): Promise<{ status: number; body: any }> {
  const form = new FormData();
  photos.forEach((photo, index) => form.append("photo", new Blob([photo as Uint8Array<ArrayBuffer>], { type: "image/jpeg" }), `${index}.jpg`));
  const response = await fetch(`${verifier.url}/v1/captures`, { method: "POST", body: form });
  return { status: response.status, body: await response.json() };
}
