import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { join, relative, resolve } from "node:path";
import { X509Certificate } from "@peculiar/x509";
import { newKeyRingEntry } from "../src/secrets/envelope.ts";
import { totpCodeAt } from "../src/totp/totp-code.ts";
import { openCamera } from "../device/camera.ts";
import { captureAndQueue } from "../device/capture.ts";
import { updateFirmware } from "../device/firmware/updater.ts";
import { manufactureCamera } from "../device/manufacture/manufacture-camera.ts";
import { releaseFirmware } from "../device/manufacture/release-firmware.ts";
import { createReleaseKey, loadReleaseKey, writeInitialKeySet } from "../device/manufacture/release-key.ts";
import { createVendorCa, saveVendorCa } from "../device/manufacture/vendor-ca.ts";
import { pairCamera } from "../device/pair.ts";
import { registerCamera } from "../device/register.ts";
import { readSensor } from "../device/sensor.ts";
import { syncQueue } from "../device/sync.ts";
import { serveCosigner } from "../cosigner/node.ts";
import { setUpCosigner } from "../cosigner/set-up.ts";
import { type VerifierConfig, defaultConfig } from "../verifier/config.ts";
import { serveVerifier } from "../verifier/node.ts";
import { describeVerdict, verifyPhotoFile } from "../cli/verify-photo.ts";
import { OwnerBrowser } from "./owner-browser.ts";

/**
 * `npm start`: the whole product on one machine with the embedded database.
 * A vendor, a verifier on 127.0.0.1, a camera made at the factory that
 * registers, seals photos with no network, then syncs; one photo is verified.
 * An owner signs up with TOTP, signs in and pairs the camera; the vendor and
 * the co-signer release firmware the camera installs, and its next photo
 * carries it. Everything goes through the verifier's and co-signer's HTTP
 * APIs and the modules the CLI runs. `--once` stops both servers at the end.
 */
const once = process.argv.includes("--once");
const home = resolve(".snapseal", "demo");
rmSync(home, { recursive: true, force: true });
const at = (...parts: string[]) => join(home, ...parts);
const shown = (path: string) => relative(".", path);
const short = (kid: string) => `${kid.slice(0, 12)}…`;
let steps = 0;
const step = (line: string) => console.log(`${++steps}. ${line}`);

const MODEL = "Acme X1";
const OWNER = { email: "alice@example.org", displayName: "Alice Example", password: "correct horse battery staple" };
const OPERATOR = "ada";

// The vendor's attestation root, and its firmware release key.
const ca = await createVendorCa({ vendor: "Acme Optics", country: "DE" });
await saveVendorCa(ca, at("vendor"));
const rootPem = new X509Certificate(ca.certificate as Uint8Array<ArrayBuffer>).toString("pem");
const releaseKey = await createReleaseKey(at("vendor", "firmware"));
// The co-signer's key exists before the first camera is made: cameras are
// manufactured with the key set naming both keys, and the verifier publishes
// by it. Its secrets' key ring lives in memory: the demo's co-signer lasts as
// long as the demo.
const cosignerSecretKeys = newKeyRingEntry("demo");
await mkdir(at("cosigner"), { recursive: true, mode: 0o700 });
const cosignerDatabaseUrl = `file:${at("cosigner", "cosigner.db")}`;
const cosignerSetUp = await setUpCosigner(cosignerDatabaseUrl, cosignerSecretKeys, releaseKey, [OPERATOR], Date.now());
const firmwareKeys = await writeInitialKeySet(at("firmware-keys.json"), [releaseKey, cosignerSetUp.key]);

const config: VerifierConfig = {
  ...defaultConfig,
  databaseUrl: `file:${at("verifier.db")}`,
  trustedRootsPem: [rootPem],
  // What SNAPSEAL_FIRMWARE_KEYS=.snapseal/demo/firmware-keys.json gives `snapseal verifier serve`.
  firmwareTrust: firmwareKeys,
  // scrypt at 2^14 (16 MiB) rather than the default 2^15, as SNAPSEAL_PASSWORD_COST_LOG2=14
  // would: sign-up and sign-in stay well within the demo's seconds on a small machine.
  passwordCostLog2: 14,
  // The camera showing a pairing code asks every half second rather than every 2 s, so the demo does not wait.
  pairingPollIntervalMs: 500,
};
const verifier = await serveVerifier(config, await portOrFree(Number(process.env.PORT ?? 8787)));
step(`verifier listening on ${verifier.url} (database ${shown(at("verifier.db"))}; firmware must be signed by release key ${short(releaseKey.kid)} and co-signer key ${short(cosignerSetUp.key.kid)})`);

const cameraDir = at("camera");
await manufactureCamera(ca, { dir: cameraDir, serial: "ACME-X1-000042", model: MODEL, firmware: "1.0.0", firmwareKeys });
let camera = await openCamera(cameraDir);
const registered = await registerCamera(camera, verifier.url);
step(`camera ${registered.serial} manufactured with its own attestation certificate and the firmware key set, and registered`);

const files: string[] = [];
for (let shot = 1; shot <= 5; shot++) {
  const frame = await readSensor({ width: 1600, height: 1200, seed: shot, exif: { Make: "Acme", Model: MODEL } });
  const queued = await captureAndQueue(camera, { jpeg: frame.jpeg, fingerprint: frame.fingerprint, source: "sensor" });
  files.push(queued.file);
}
step(`sealed ${files.length} photos offline into ${shown(join(cameraDir, "captures"))}/`);

const report = await syncQueue(camera);
step(`synced: ${report.recorded} recorded, ${report.rejected.length} rejected`);

step(`checking ${shown(files[0]!)}:\n`);
console.log(`${describeVerdict(await verifyPhotoFile(files[0]!, verifier.url))}\n`);

// The owner, through the account API as the dashboard would use it.
const browser = new OwnerBrowser(verifier.url);
await browser.post("/v1/account/signup", OWNER);
step(`owner signed up: ${OWNER.displayName} <${OWNER.email}>, password "${OWNER.password}"`);

const enrolment = await browser.post<{ base32: string; pretty: string; uri: string; qrSvg: string }>("/v1/account/totp/enrol");
writeFileSync(at("totp-qr.svg"), enrolment.qrSvg);
// The demo plays the authenticator app on the wall clock, as the verifier runs.
// A code is accepted once per 30 s step, within one step either side of the
// verifier's clock. So both codes come from one timestamp: step s confirms the
// enrolment, step s+1 signs in. Whichever second this runs at, the verifier is
// at step s or s+1 for both requests, so each code is inside its window, and
// the two never share a step.
const appTime = Date.now();
const enrolCode = totpCodeAt(enrolment.base32, appTime);
const signInCode = totpCodeAt(enrolment.base32, appTime + 30_000);
const confirmed = await browser.post<{ recoveryCodes: string[] }>("/v1/account/totp/confirm", { code: enrolCode });
step(`owner enrolled TOTP (QR code in ${shown(at("totp-qr.svg"))}) and confirmed it with code ${enrolCode}; ${confirmed.recoveryCodes.length} recovery codes issued
     secret  ${enrolment.pretty}
     uri     ${enrolment.uri}`);

await browser.post("/v1/account/signout");
await browser.post("/v1/account/signin", { email: OWNER.email, password: OWNER.password });
await browser.post("/v1/account/signin/code", { code: signInCode });
step(`owner signed out, then signed in with the password and TOTP code ${signInCode} (the next step's: each code is accepted once)`);

// Pairing: the camera shows a one-time code and polls; the owner enters it.
let codeShown!: (code: string) => void;
const pairingCode = new Promise<string>((resolve) => (codeShown = resolve));
const pairing = pairCamera(camera, { timeoutMs: 60_000, onCode: ({ code }) => codeShown(code) });
const code = await Promise.race([pairingCode, pairing.then((outcome) => Promise.reject(new Error(`pairing ended before a code was shown: ${outcome.status}`)))]);
step(`camera proved it holds its credential and shows pairing code ${code}`);
const { device } = await browser.post<{ device: { id: string; name: string } }>("/v1/owner/devices/pair", { code, name: "Garden" });
const paired = await pairing;
if (paired.status !== "paired") throw new Error(`the camera was not paired: ${paired.status}`);
step(`owner entered the code and named the camera "${device.name}"; the camera now belongs to ${paired.ownerDisplayName}`);

interface OwnedDevice {
  id: string;
  name: string;
  serial: string;
  status: string;
  captureCount: number;
}
const { devices } = await browser.get<{ devices: OwnedDevice[] }>("/v1/owner/devices");
const { captures } = await browser.get<{ captures: { counter: number; capturedAt: string }[] }>(`/v1/owner/devices/${device.id}/captures`);
step(`owner's cameras: ${devices.map((owned) => `"${owned.name}" (${owned.serial}, ${owned.status}, ${owned.captureCount} captures)`).join(", ")}; newest capture: counter ${captures[0]!.counter}, taken ${captures[0]!.capturedAt}`);

// Firmware: the co-signer signs only for the operator's TOTP code.
const cosigner = await serveCosigner(cosignerDatabaseUrl, cosignerSecretKeys, 0);
step(`co-signer on ${cosigner.url} (own database ${shown(at("cosigner", "cosigner.db"))}, key ${short(cosignerSetUp.key.kid)}, operator ${OPERATOR} with TOTP); its key and the release key were made before the camera`);

// A stand-in image: the camera checks it against the signed size and hash.
const image = new Uint8Array(randomBytes(256 * 1024));
// The operator's first code, from the wall clock: no step of this account was used before.
const operatorCode = totpCodeAt(cosignerSetUp.operatorSecrets.get(OPERATOR)!, Date.now());
const released = await releaseFirmware({
  image,
  model: MODEL,
  version: "1.1.0",
  releaseKey: await loadReleaseKey(at("vendor", "firmware")),
  cosignerUrl: cosigner.url,
  operator: OPERATOR,
  totp: operatorCode,
  server: verifier.url,
  expiresInMs: 30 * 86_400_000,
});
step(`firmware ${released.manifest.version} (${released.manifest.size} bytes) signed with the release key, co-signed for operator ${OPERATOR}'s TOTP code ${operatorCode}, published to the verifier`);

const update = await updateFirmware(camera, { server: verifier.url });
if (update.status !== "installed") throw new Error(`the camera did not install the release: ${update.status}`);
// A newly installed image runs from the camera's next start.
camera.db.close();
camera = await openCamera(cameraDir);
step(`camera verified both signatures, size and hash, installed ${update.version} in slot ${update.slot} (was ${update.previous}), restarted: boots ${camera.firmware.version} from slot ${camera.firmware.slot}`);

const frame = await readSensor({ width: 1600, height: 1200, seed: 6, exif: { Make: "Acme", Model: MODEL } });
const newest = (await captureAndQueue(camera, { jpeg: frame.jpeg, fingerprint: frame.fingerprint, source: "sensor" })).file;
await syncQueue(camera);
camera.db.close();
const checked = await fetch(`${verifier.url}/v1/provenance/check`, { method: "POST", headers: { "content-type": "image/jpeg" }, body: readFileSync(newest) });
const check = (await checked.json()) as { verdict: string; payload: { meta: { firmware: string } }; owner: { displayName: string } | null };
step(`new photo ${shown(newest)} sealed and synced; the verifier's check: ${check.verdict}, firmware ${check.payload.meta.firmware}, owner ${check.owner?.displayName ?? "none"}`);

const photo = shown(files[0]!);
const cam = shown(cameraDir);
const jar = shown(at("owner.cookies"));
console.log(`
Open ${verifier.url}/ in a browser and drop ${photo} on it: the page checks it there, in the browser.
The owner's dashboard is ${verifier.url}/account (sign in as below, or sign up as a new owner).

Next, in another terminal:
  npx snapseal verify ${photo} --server ${verifier.url}
  exiftool -Artist="Someone Else" ${photo} && npx snapseal verify ${photo} --server ${verifier.url}   # still authentic
  curl -s -X POST -H 'content-type: image/jpeg' --data-binary @${photo} ${verifier.url}/v1/provenance/check
  npx snapseal device capture --dir ${cam} --count 3 && npx snapseal device sync --dir ${cam} --server ${verifier.url}
  npx snapseal device status --dir ${cam} --server ${verifier.url}
  curl -s ${verifier.url}/v1/credentials/${registered.credentialId}/status
  npx snapseal cosigner log --dir ${shown(at("cosigner"))}

Sign in as ${OWNER.email} with password "${OWNER.password}" and a code (CODE) from an authenticator app
holding the secret above (or scan ${shown(at("totp-qr.svg"))}); a code is accepted once, and the demo spent the
codes up to a minute ahead, so use one shown a minute or more after it ran. On the dashboard, or with curl:
  csrf=$(curl -s -c ${jar} -H 'content-type: application/json' -d '{"email":"${OWNER.email}","password":"${OWNER.password}"}' ${verifier.url}/v1/account/signin | jq -r .session.csrfToken)
  curl -s -b ${jar} -c ${jar} -H 'content-type: application/json' -H "x-csrf-token: $csrf" -d '{"code":"CODE"}' ${verifier.url}/v1/account/signin/code
  curl -s -b ${jar} ${verifier.url}/v1/owner/devices
`);

const stop = async () => {
  await verifier.stop();
  await cosigner.stop();
};
if (once) {
  await stop();
} else {
  console.log("The verifier and the co-signer keep running; Ctrl-C stops them.");
  const stopAndExit = () => stop().then(() => process.exit(0));
  process.once("SIGINT", stopAndExit);
  process.once("SIGTERM", stopAndExit);
}

/** The port if nothing listens on it, else 0 (a free one): the demo may run beside another verifier. */
function portOrFree(port: number): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer()
      .once("error", () => {
        console.log(`port ${port} is taken; using a free one`);
        resolve(0);
      })
      .listen(port, "127.0.0.1", () => probe.close(() => resolve(port)));
  });
}
