import { readFile } from "node:fs/promises";
import { openCamera } from "../device/camera.ts";
import { captureAndQueue } from "../device/capture.ts";
import { fingerprintJpeg } from "../edge/sharp-fingerprint.ts";
import { manufactureCamera } from "../device/manufacture/manufacture-camera.ts";
import { createVendorCa, loadVendorCa, saveVendorCa } from "../device/manufacture/vendor-ca.ts";
import { registerCamera } from "../device/register.ts";
import { readSensor } from "../device/sensor.ts";
import { syncQueue } from "../device/sync.ts";
import { VerifierHttpError, VerifierUnreachableError } from "../src/http/verifier-client.ts";
import { isProvenanceError } from "../src/errors.ts";
import { cosigner } from "./cosigner.ts";
import { deviceFirmware, deviceUpdate, firmware, firmwareKeysOption } from "./firmware.ts";
import { devicePair, deviceStatus } from "./device-lifecycle.ts";
import { UsageError, options, positiveInteger, required } from "./usage.ts";
import { describeVerdict, exitCodeOf, verifyPhotoFile } from "./verify-photo.ts";

const DEFAULT_SERVER = "http://127.0.0.1:8787";

const HELP = `snapseal: signed-media provenance

Usage:
  snapseal vendor init --ca DIR --vendor NAME [--country CC]
      Create a manufacturer attestation root (DIR/root.pem, DIR/root.key.pem).
  snapseal device manufacture --dir CAMERA --ca DIR --serial SERIAL --model MODEL [--firmware V] [--firmware-keys FILE]
      Give a new camera its unique attestation key and certificate, and the firmware key set it updates by.
  snapseal device register --dir CAMERA [--server URL]
      Register the camera's credential with a verifier (packed attestation).
  snapseal device capture --dir CAMERA [--count N] [--width W --height H] [--import FILE] [--captured-at ISO]
      Seal photos from the (simulated) sensor, or seal an imported JPEG, and queue them. Works offline.
  snapseal device sync --dir CAMERA [--server URL] [--batch N]
      Send the queue to the verifier in order; only acknowledged photos are marked synced.
  snapseal device queue --dir CAMERA
      Show the offline queue.
  snapseal device pair --dir CAMERA [--server URL] [--timeout S]
      Show a one-time pairing code and wait until a signed-in owner enters it (exit 0 paired, 1 expired or timed out).
  snapseal device status --dir CAMERA [--server URL] [--json]
      Ask the verifier, with a signed assertion, whether this camera's registration is valid and who owns it
      (exit 0 valid, 1 not registered, revoked, stolen, or held for the owner's approval).
  snapseal device update --dir CAMERA [--server URL]
      Fetch, verify (both signatures, rollback, model, expiry, size, hash) and install new firmware A/B.
  snapseal device firmware --dir CAMERA [--json]
      Boot the camera: which firmware runs, from which slot, and whether each slot verifies.
  snapseal firmware keygen --dir DIR
      Create the vendor's firmware release key (DIR/release-key.json, DIR/release-key.pub.json).
  snapseal firmware trust --vendor PUBFILE --cosigner PUBFILE --out FILE
      Write the firmware key set cameras are made with and verifiers publish by (both keys required).
  snapseal firmware release --image FILE --version V --model M --key DIR --cosigner URL --operator NAME --totp CODE
                            [--server URL] [--url URL] [--min-version V] [--expires-days N] [--key-set FILE --new-key DIR...]
      Sign a manifest, have the co-signer co-sign it (operator's TOTP), and publish it with the image.
  snapseal cosigner init --dir DIR
      Create a co-signer: its signing key (DIR/cosigner-key.pub.json) and database; secrets sealed under COSIGNER_SECRET_KEYS.
  snapseal cosigner operator add --dir DIR --name NAME
      Add a release operator; prints the TOTP secret and otpauth:// URI once.
  snapseal cosigner key accept --dir DIR --key PUBFILE | key revoke --dir DIR --kid KID | key list --dir DIR
      Accept a vendor release key, revoke one (no more co-signing for it), or list them.
  snapseal cosigner serve --dir DIR [--port P]
      Run the co-signer (POST /v1/firmware/cosign) on 127.0.0.1.
  snapseal cosigner log --dir DIR [--json]
      Every co-signing request, granted or refused, with the reason.
  snapseal verify PHOTO... [--server URL] [--json]
      Check photos: exit 0 authentic, 1 altered, 2 unknown device, 3 no record, 4 refused
      (the worst over all photos), 64 bad usage, 69 verifier unreachable.
  snapseal verifier serve [--port P]
      Run the verifier (environment: see docs/operations.md).

Defaults: --server ${DEFAULT_SERVER}`;

async function main(argv: string[]): Promise<number> {
  const [group, command, ...rest] = argv;
  if (!group || group === "help" || argv.includes("--help") || argv.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  if (group === "verify") return verify(argv.slice(1));
  if (group === "vendor" && command === "init") return vendorInit(rest);
  if (group === "device") return device(command, rest);
  if (group === "firmware") return firmware(command, rest, DEFAULT_SERVER);
  if (group === "cosigner") return cosigner(command, rest);
  if (group === "verifier" && command === "serve") return serve(rest);
  throw new UsageError(`unknown command: ${argv.slice(0, 2).join(" ")}`);
}

async function vendorInit(args: string[]): Promise<number> {
  const { values } = options(args, { ca: { type: "string" }, vendor: { type: "string" }, country: { type: "string" } });
  const ca = await createVendorCa({ vendor: required(values.vendor, "vendor"), ...(values.country ? { country: values.country } : {}) });
  await saveVendorCa(ca, required(values.ca, "ca"));
  console.log(`vendor root written to ${values.ca}/root.pem; give it to verifiers in SNAPSEAL_TRUSTED_ROOTS`);
  return 0;
}

async function device(command: string | undefined, args: string[]): Promise<number> {
  switch (command) {
    case "manufacture": {
      const { values } = options(args, {
        dir: { type: "string" },
        ca: { type: "string" },
        serial: { type: "string" },
        model: { type: "string" },
        firmware: { type: "string" },
        "firmware-keys": { type: "string" },
      });
      const ca = await loadVendorCa(required(values.ca, "ca"));
      const dir = required(values.dir, "dir");
      const firmwareKeys = await firmwareKeysOption(values["firmware-keys"]);
      await manufactureCamera(ca, {
        dir,
        serial: required(values.serial, "serial"),
        model: required(values.model, "model"),
        firmware: values.firmware ?? "1.0.0",
        ...(firmwareKeys ? { firmwareKeys } : {}),
      });
      console.log(`camera ${values.serial} manufactured in ${dir}`);
      return 0;
    }
    case "register": {
      const { values } = options(args, { dir: { type: "string" }, server: { type: "string" } });
      const camera = await openCamera(required(values.dir, "dir"));
      try {
        const registered = await registerCamera(camera, values.server ?? DEFAULT_SERVER);
        console.log(`registered camera ${registered.serial} as credential ${registered.credentialId}`);
        // A reset camera's new credential seals nothing valid until its owner approves it.
        if (registered.pendingApproval) console.log("held for approval: this serial has an owner, who must approve the re-registration before captures are accepted");
      } finally {
        camera.db.close();
      }
      return 0;
    }
    case "capture": {
      const { values } = options(args, {
        dir: { type: "string" },
        count: { type: "string" },
        width: { type: "string" },
        height: { type: "string" },
        import: { type: "string" },
        "captured-at": { type: "string" },
      });
      const capturedAt = values["captured-at"] === undefined ? undefined : Date.parse(values["captured-at"]);
      if (capturedAt !== undefined && Number.isNaN(capturedAt)) throw new UsageError("--captured-at must be an ISO date");
      const count = positiveInteger(values.count, "count", 1);
      const width = positiveInteger(values.width, "width", 1600);
      const height = positiveInteger(values.height, "height", 1200);
      const camera = await openCamera(required(values.dir, "dir"));
      try {
        for (let index = 0; index < count; index++) {
          const input = values.import
            ? await importedPhoto(values.import)
            : { ...(await readSensor({ width, height, seed: Date.now() + index, exif: { Make: "Acme", Model: camera.authenticator.identity.model } })), source: "sensor" as const };
          const queued = await captureAndQueue(camera, { jpeg: input.jpeg, fingerprint: input.fingerprint, source: input.source, ...(capturedAt === undefined ? {} : { capturedAt }) });
          console.log(`sealed ${queued.file} (counter ${queued.sealed.payload.counter}, ${input.source})`);
        }
      } finally {
        camera.db.close();
      }
      return 0;
    }
    case "sync": {
      const { values } = options(args, { dir: { type: "string" }, server: { type: "string" }, batch: { type: "string" } });
      const camera = await openCamera(required(values.dir, "dir"));
      try {
        const report = await syncQueue(camera, { batchSize: positiveInteger(values.batch, "batch", 10), ...(values.server ? { verifierUrl: values.server } : {}) });
        console.log(`synced: ${report.recorded} recorded, ${report.alreadyRecorded} already recorded, ${report.rejected.length} rejected, ${report.chainGaps} chain gaps`);
        for (const rejection of report.rejected) console.log(`  rejected #${rejection.seq}: ${rejection.code}: ${rejection.message}`);
        return report.rejected.length === 0 ? 0 : 1;
      } finally {
        camera.db.close();
      }
    }
    case "queue": {
      const { values } = options(args, { dir: { type: "string" } });
      const camera = await openCamera(required(values.dir, "dir"));
      try {
        const rows = (await camera.db.execute("SELECT seq, file, counter, state, capture_id, error_code FROM queue ORDER BY seq")).rows;
        for (const row of rows) console.log(`${row.seq}\t${row.state}\t${row.file}\tcounter ${row.counter}\t${row.capture_id ?? row.error_code ?? ""}`);
        console.log(`${rows.length} captures, ${rows.filter((row) => row.state === "pending").length} pending`);
      } finally {
        camera.db.close();
      }
      return 0;
    }
    case "update":
      return deviceUpdate(args, DEFAULT_SERVER);
    case "firmware":
      return deviceFirmware(args);
    case "pair":
      return devicePair(args);
    case "status":
      return deviceStatus(args);
    default:
      throw new UsageError(`unknown device command: ${command ?? "(none)"}`);
  }
}

async function importedPhoto(path: string) {
  const jpeg = new Uint8Array(await readFile(path));
  return { jpeg, fingerprint: await fingerprintJpeg(jpeg), source: "import" as const };
}

async function verify(args: string[]): Promise<number> {
  const { values, positionals } = options(args, { server: { type: "string" }, json: { type: "boolean" } }, true);
  if (positionals.length === 0) throw new UsageError("name at least one photo");
  let worst = 0;
  const verdicts = [];
  for (const file of positionals) {
    const verdict = await verifyPhotoFile(file, values.server ?? DEFAULT_SERVER);
    verdicts.push(verdict);
    worst = Math.max(worst, exitCodeOf[verdict.verdict]);
    if (!values.json) console.log(describeVerdict(verdict));
  }
  if (values.json) console.log(JSON.stringify(verdicts.length === 1 ? verdicts[0] : verdicts, null, 2));
  return worst;
}

async function serve(args: string[]): Promise<number> {
  const { values } = options(args, { port: { type: "string" } });
  const { readFileSync } = await import("node:fs");
  const { configFromEnv } = await import("../verifier/config.ts");
  const { serveVerifier } = await import("../verifier/node.ts");
  const config = configFromEnv((name) => process.env[name], (path) => readFileSync(path, "utf8"));
  const verifier = await serveVerifier(config, positiveInteger(values.port, "port", 8787));
  console.log(`SnapSeal verifier on ${verifier.url} (database ${config.databaseUrl})`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await verifier.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`snapseal: ${error.message}\nRun \`snapseal --help\` for usage.`);
      process.exit(64);
    }
    if (error instanceof VerifierUnreachableError) {
      console.error(`snapseal: ${error.message}`);
      process.exit(69);
    }
    if (error instanceof VerifierHttpError || isProvenanceError(error)) {
      console.error(`snapseal: ${error.message}`);
      process.exit(65);
    }
    console.error(`snapseal: ${(error as Error).message ?? String(error)}`);
    process.exit(70);
  },
);
