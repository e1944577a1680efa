import "reflect-metadata";
import { rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { X509Certificate } from "@peculiar/x509";
import { openCamera } from "../device/camera.ts";
import { captureAndQueue } from "../device/capture.ts";
import { manufactureCamera } from "../device/manufacture/manufacture-camera.ts";
import { createVendorCa, saveVendorCa } from "../device/manufacture/vendor-ca.ts";
import { registerCamera } from "../device/register.ts";
import { readSensor } from "../device/sensor.ts";
import { syncQueue } from "../device/sync.ts";
import { defaultConfig } from "../verifier/config.ts";
import { serveVerifier } from "../verifier/node.ts";
import { describeVerdict, verifyPhotoFile } from "../cli/verify-photo.ts";

/**
 * `npm start`: the whole pipeline on one machine with the embedded database.
 * A vendor, a verifier on 127.0.0.1, a camera made at the factory that
 * registers, seals photos with no network, then syncs; one photo is verified.
 */
const once = process.argv.includes("--once");
const home = resolve(".snapseal", "demo");
rmSync(home, { recursive: true, force: true });

const ca = await createVendorCa({ vendor: "Acme Optics", country: "DE" });
await saveVendorCa(ca, join(home, "vendor"));
const rootPem = new X509Certificate(ca.certificate as Uint8Array<ArrayBuffer>).toString("pem");
const port = Number(process.env.PORT ?? 8787);
const verifier = await serveVerifier({ ...defaultConfig, databaseUrl: `file:${join(home, "verifier.db")}`, trustedRootsPem: [rootPem] }, port).catch(
  (error: NodeJS.ErrnoException) => {
    if (error.code !== "EADDRINUSE") throw error;
    console.log(`port ${port} is taken; using a free one`);
    return serveVerifier({ ...defaultConfig, databaseUrl: `file:${join(home, "verifier.db")}`, trustedRootsPem: [rootPem] }, 0);
  },
);
console.log(`1. verifier listening on ${verifier.url} (database ${relative(".", join(home, "verifier.db"))})`);

const cameraDir = join(home, "camera");
await manufactureCamera(ca, { dir: cameraDir, serial: "ACME-X1-000042", model: "Acme X1", firmware: "1.0.0" });
const camera = await openCamera(cameraDir);
const registered = await registerCamera(camera, verifier.url);
console.log(`2. camera ${registered.serial} manufactured with its own attestation certificate and registered`);

const files: string[] = [];
for (let shot = 1; shot <= 5; shot++) {
  const frame = await readSensor({ width: 1600, height: 1200, seed: shot, exif: { Make: "Acme", Model: "Acme X1" } });
  const queued = await captureAndQueue(camera, { jpeg: frame.jpeg, fingerprint: frame.fingerprint, source: "sensor" });
  files.push(queued.file);
}
console.log(`3. sealed ${files.length} photos offline into ${relative(".", join(cameraDir, "captures"))}/`);

const report = await syncQueue(camera);
console.log(`4. synced: ${report.recorded} recorded, ${report.rejected.length} rejected`);
camera.db.close();

console.log(`5. checking ${relative(".", files[0]!)}:\n`);
console.log(describeVerdict(await verifyPhotoFile(files[0]!, verifier.url)));

const photo = relative(".", files[0]!);
console.log(`
Next, in another terminal:
  npx snapseal verify ${photo} --server ${verifier.url}
  exiftool -Artist="Someone Else" ${photo} && npx snapseal verify ${photo} --server ${verifier.url}   # still authentic
  curl -s -X POST -H 'content-type: image/jpeg' --data-binary @${photo} ${verifier.url}/v1/provenance/check
  npx snapseal device capture --dir ${relative(".", cameraDir)} --count 3 && npx snapseal device sync --dir ${relative(".", cameraDir)} --server ${verifier.url}
`);

if (once) {
  await verifier.stop();
} else {
  console.log("The verifier keeps running; Ctrl-C stops it.");
  const stop = () => verifier.stop().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
