import { readFile } from "node:fs/promises";
import { toHex } from "../src/bytes.ts";
import { isProvenanceError } from "../src/errors.ts";
import type { KeySet } from "../src/firmware/key-set.ts";
import { MAX_IMAGE_BYTES } from "../src/firmware/manifest.ts";
import { isVersion } from "../src/firmware/version.ts";
import { activeCredential, openCamera } from "../device/camera.ts";
import { bootPointer, currentKeySet } from "../device/firmware/firmware-db.ts";
import { checkSlot } from "../device/firmware/slots.ts";
import { UPDATE_STEPS, type UpdateStep, updateFirmware } from "../device/firmware/updater.ts";
import { releaseFirmware } from "../device/manufacture/release-firmware.ts";
import { createReleaseKey, loadReleaseKey, readKeySetFile, readPublicKeyFile, writeInitialKeySet } from "../device/manufacture/release-key.ts";
import { UsageError, options, positiveInteger, required } from "./usage.ts";

const DAY = 86_400_000;
const DEFAULT_EXPIRY_DAYS = 30;

/** `snapseal firmware keygen | trust | release`: the vendor's side of firmware updates (docs/firmware.md). */
export async function firmware(command: string | undefined, args: string[], defaultServer: string): Promise<number> {
  switch (command) {
    case "keygen": {
      const { values } = options(args, { dir: { type: "string" } });
      const key = await createReleaseKey(required(values.dir, "dir"));
      console.log(`release key ${key.kid} written to ${values.dir}; give ${values.dir}/release-key.pub.json to the co-signer (cosigner key accept) and to \`firmware trust\``);
      return 0;
    }
    case "trust": {
      const { values } = options(args, { vendor: { type: "string" }, cosigner: { type: "string" }, out: { type: "string" } });
      const vendor = await readKey(required(values.vendor, "vendor"));
      const cosigner = await readKey(required(values.cosigner, "cosigner"));
      if (vendor.kid === cosigner.kid) throw new UsageError("--vendor and --cosigner name the same key: the two signatures must come from two keys");
      const out = required(values.out, "out");
      const keySet = await writeInitialKeySet(out, [vendor, cosigner]);
      console.log(`firmware key set ${keySet.version} (threshold ${keySet.threshold}: ${vendor.kid} vendor, ${cosigner.kid} co-signer) written to ${out}`);
      console.log("manufacture cameras with --firmware-keys and give it to verifiers in SNAPSEAL_FIRMWARE_KEYS");
      return 0;
    }
    case "release": {
      const { values } = options(args, {
        image: { type: "string" },
        version: { type: "string" },
        "min-version": { type: "string" },
        model: { type: "string" },
        key: { type: "string" },
        cosigner: { type: "string" },
        operator: { type: "string" },
        totp: { type: "string" },
        server: { type: "string" },
        url: { type: "string" },
        "expires-days": { type: "string" },
        "key-set": { type: "string" },
        "new-key": { type: "string", multiple: true },
      });
      const version = versionOption(required(values.version, "version"), "version");
      const minVersion = values["min-version"] === undefined ? undefined : versionOption(values["min-version"], "min-version");
      const model = required(values.model, "model");
      if (model.length > 64) throw new UsageError("--model must be at most 64 characters");
      const imagePath = required(values.image, "image");
      const cosignerUrl = urlOption(required(values.cosigner, "cosigner"), "cosigner");
      const operator = required(values.operator, "operator");
      const totp = required(values.totp, "totp");
      const server = urlOption(values.server ?? defaultServer, "server");
      const expiresDays = positiveInteger(values["expires-days"], "expires-days", DEFAULT_EXPIRY_DAYS);
      if (expiresDays > 3650) throw new UsageError("--expires-days must be at most 3650");
      if ((values["new-key"]?.length ?? 0) > 0 && !values["key-set"]) throw new UsageError("--new-key signs a key rotation: give the new key set with --key-set");
      const image = await readImageFile(imagePath);
      const releaseKey = await loadReleaseKey(required(values.key, "key"));
      const keySet = values["key-set"] ? await readKeySet(values["key-set"]) : undefined;
      const newKeys = await Promise.all((values["new-key"] ?? []).map((dir) => loadReleaseKey(dir)));
      const released = await releaseFirmware({
        image,
        model,
        version,
        ...(minVersion === undefined ? {} : { minVersion }),
        releaseKey,
        cosignerUrl,
        operator,
        totp,
        server,
        ...(values.url === undefined ? {} : { url: urlOption(values.url, "url") }),
        expiresInMs: expiresDays * DAY,
        ...(keySet ? { keySet, newKeys } : {}),
      });
      const { manifest } = released;
      console.log(`released ${manifest.model} ${manifest.version} (${manifest.size} bytes, sha256 ${toHex(manifest.imageSha256)}), signed by ${manifest.keyIds.join(", ")}`);
      console.log(`published to ${server}; image at ${manifest.url}; expires ${new Date(manifest.expiresAt).toISOString()}`);
      if (keySet) console.log(`carries key set ${keySet.version}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown firmware command: ${command ?? "(none)"}`);
  }
}

/** The fault-injection seam of the crash tests: SNAPSEAL_CRASH_AT=<step> kills the updater abruptly at that step. */
function crashAt(): ((step: UpdateStep) => void) | undefined {
  const target = process.env.SNAPSEAL_CRASH_AT;
  if (!target) return undefined;
  if (!(UPDATE_STEPS as readonly string[]).includes(target)) throw new UsageError(`SNAPSEAL_CRASH_AT must be one of ${UPDATE_STEPS.join(", ")}`);
  return (step) => {
    if (step !== target) return;
    process.stderr.write(`snapseal: crash injected at ${step}\n`);
    process.kill(process.pid, "SIGKILL");
  };
}

/** `snapseal device update`: fetch, verify and install the firmware the verifier offers this camera. */
export async function deviceUpdate(args: string[], defaultServer: string): Promise<number> {
  const { values } = options(args, { dir: { type: "string" }, server: { type: "string" } });
  const dir = required(values.dir, "dir");
  const crash = crashAt();
  const camera = await openCamera(dir);
  try {
    const server = values.server ?? (await activeCredential(camera.db))?.verifierUrl ?? defaultServer;
    const result = await updateFirmware(camera, { server: urlOption(server, "server"), ...(crash ? { onStep: crash } : {}) });
    if (result.status === "up_to_date") {
      console.log(`firmware ${result.version} is up to date`);
    } else {
      console.log(`firmware ${result.version} installed in slot ${result.slot} (was ${result.previous}, key set ${result.keySetVersion}); it runs from the camera's next start`);
    }
    return 0;
  } finally {
    camera.db.close();
  }
}

/** `snapseal device firmware`: boot the camera and say what it runs, and what each slot holds. */
export async function deviceFirmware(args: string[]): Promise<number> {
  const { values } = options(args, { dir: { type: "string" }, json: { type: "boolean" } });
  const camera = await openCamera(required(values.dir, "dir"));
  try {
    const pointer = await bootPointer(camera.db);
    const keySet = await currentKeySet(camera.db);
    const slots = await Promise.all(
      (["a", "b"] as const).map(async (slot) => {
        try {
          return { slot, verified: true, version: (await checkSlot(camera.db, camera.paths.dir, slot)).version };
        } catch (error) {
          return { slot, verified: false, reason: (error as Error).message };
        }
      }),
    );
    const report = {
      booted: camera.firmware,
      installed: pointer?.version ?? camera.firmware.version,
      keySetVersion: keySet?.version ?? null,
      slots,
    };
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
      return 0;
    }
    console.log(`booted firmware ${report.booted.version} from ${report.booted.slot === "factory" ? "the factory image" : `slot ${report.booted.slot}`}`);
    if (report.booted.fallback) console.log(`  fell back: ${report.booted.fallback}`);
    console.log(`installed version ${report.installed}; firmware key set ${report.keySetVersion ?? "none (no updates)"}`);
    for (const slot of slots) console.log(`  slot ${slot.slot}: ${slot.verified ? `verified ${slot.version}` : slot.reason}`);
    return 0;
  } finally {
    camera.db.close();
  }
}

/** `device manufacture --firmware-keys FILE`: the key set a camera installs updates by. */
export async function firmwareKeysOption(path: string | undefined): Promise<KeySet | undefined> {
  return path === undefined ? undefined : readKeySet(path);
}

async function readKeySet(path: string): Promise<KeySet> {
  try {
    return await readKeySetFile(path);
  } catch (error) {
    throw new UsageError(`${path} is not a firmware key set: ${describe(error)}`);
  }
}

async function readKey(path: string) {
  try {
    return await readPublicKeyFile(path);
  } catch (error) {
    throw new UsageError(`${path} is not a firmware public key file: ${describe(error)}`);
  }
}

async function readImageFile(path: string): Promise<Uint8Array> {
  let image: Uint8Array;
  try {
    image = new Uint8Array(await readFile(path));
  } catch (error) {
    throw new UsageError(`cannot read --image ${path}: ${describe(error)}`);
  }
  if (image.length === 0 || image.length > MAX_IMAGE_BYTES) throw new UsageError(`--image must be 1 byte to ${MAX_IMAGE_BYTES / 2 ** 20} MiB`);
  return image;
}

function describe(error: unknown): string {
  return isProvenanceError(error) ? error.message : ((error as Error).message ?? String(error));
}

function versionOption(value: string, flag: string): string {
  if (!isVersion(value)) throw new UsageError(`--${flag} must be MAJOR.MINOR.PATCH, e.g. 1.2.0`);
  return value;
}

function urlOption(value: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--${flag} must be an http(s) URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--${flag} must be an http(s) URL`);
  return value;
}
