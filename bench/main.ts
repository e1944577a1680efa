// `npm run bench`: one run, three measurements, one README table.
//
//   1. record verification throughput: verifyCapture vs @simplewebauthn/server
//   2. sealing a 12-MP JPEG vs SHA-256(file) + one P-256 signature
//   3. HTTP ingest of sealed 12-MP JPEGs vs SHA-256(file) + one P-256 verify
//   4. the check page: a 12-MP photo verified in Chromium vs uploaded to the server-side check
//
// Everything runs in a temporary world (vendor CA, verifier on 127.0.0.1 with
// its own libSQL file, cameras) that is removed at the end.

import os from "node:os";
import { activeCredential } from "../device/camera.ts";
import { readSensor } from "../device/sensor.ts";
import { toBase64Url } from "../src/bytes.ts";
import { CHROMIUM } from "../test/support/browser.ts";
import { createWorld, type World } from "../test/support/world.ts";
import { benchBrowserCheck } from "./browser-check.ts";
import { benchIngest, photosNeeded } from "./ingest.ts";
import { benchSeal } from "./seal.ts";
import { fmtInt, fmtMs, fmtRatio, log, markdownTable, now } from "./util.ts";
import { CONCURRENCIES, type Variant, benchVerify } from "./verify-throughput.ts";

const VERIFY = { records: 2000, cameras: 4, passes: 3, chunk: 250 };
const SEAL = { runs: 31, warmup: 10 };
const INGEST = { photos: 30, batchSize: 10, warmupBatches: 1, rounds: 3 };
const BROWSER_CHECK = { runs: 25, warmup: 5 };
/** A stuck run must not outlive its welcome: everything is torn down after this. */
const HARD_LIMIT_MS = 6 * 60_000;

function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? "unknown CPU"}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

const loadavg = () => os.loadavg().map((load) => load.toFixed(2)).join(" ");

async function main(): Promise<void> {
  const started = now();
  const machineLine = machine();
  const loadAtStart = loadavg();
  log(`# SnapSeal bench`);
  log(`machine: ${machineLine}`);
  log(`load average at start: ${loadAtStart}`);
  log();

  let world: World | undefined;
  const teardown = async () => {
    const w = world;
    world = undefined;
    if (w) await w.close();
  };
  const guard = setTimeout(() => {
    process.stderr.write(`bench: over ${HARD_LIMIT_MS / 60_000} minutes, giving up\n`);
    void teardown().finally(() => process.exit(2));
  }, HARD_LIMIT_MS);
  guard.unref();
  process.once("SIGINT", () => void teardown().finally(() => process.exit(130)));

  try {
    world = await createWorld();
    log(`verifier on ${world.verifier.url}, temp dir ${world.dir}`);
    log();

    log(`## 1. Record verification throughput (${VERIFY.records} records)`);
    const verify = await benchVerify(world, VERIFY);
    log();

    log(`## 2. Seal a 12-megapixel JPEG`);
    let t = now();
    // Quality 95, a camera's "fine" setting: about 2.5 MiB, where 12-MP camera JPEGs usually are.
    const frame = await readSensor({ width: 4000, height: 3000, seed: 12, quality: 95 });
    log(`  readSensor 4000x3000 (once, untimed for the seal): ${fmtMs(now() - t)}`);
    t = now();
    const camera = await world.newCamera("BENCH-12MP");
    log(`  manufacture + register camera: ${fmtMs(now() - t)}`);
    const extraCaptures = Math.max(0, photosNeeded(INGEST) - SEAL.runs - SEAL.warmup);
    const seal = await benchSeal(world, camera, frame, { ...SEAL, extraCaptures });
    log();

    log(`## 3. Ingest sealed 12-megapixel JPEGs over HTTP (POST /v1/captures)`);
    const ingest = await benchIngest(world, seal.sealedByCamera, INGEST);
    log();

    // The ingest's thumbnails are made after each sync is answered, one at a
    // time; the check is timed once they are all made.
    t = now();
    await world.verifier.services.thumbnails?.settled(toBase64Url((await activeCredential(camera.db))!.credentialId));
    log(`  the dashboard's thumbnails were all made ${fmtMs(now() - t)} after the last sync was answered`);
    log();
    log(`## 4. Check a 12-megapixel photo on the check page (${CHROMIUM})`);
    const browserCheck = await benchBrowserCheck(world, seal.sealedByCamera, BROWSER_CHECK);
    log();

    const rate = (variant: Variant, concurrency: number) => verify.rates[variant][concurrency]!;
    const check = (ok: boolean) => (ok ? "✅" : "❌");
    const rows: string[][] = [];
    for (const c of CONCURRENCIES) {
      const ratio = rate("ours", c) / rate("reference", c);
      rows.push([
        `Verify capture records, ${c} in flight`,
        `${fmtInt(rate("ours", c))} records/s`,
        `${fmtInt(rate("reference", c))} records/s (@simplewebauthn/server)`,
        fmtRatio(ratio),
        `≥ 3× ${check(ratio >= 3)}`,
      ]);
    }
    for (const c of CONCURRENCIES) {
      rows.push([
        `… same record work on both sides, ${c} in flight`,
        `${fmtInt(rate("ours", c))} records/s`,
        `${fmtInt(rate("referenceFromJpeg", c))} records/s (our parsing + @simplewebauthn/server)`,
        fmtRatio(rate("ours", c) / rate("referenceFromJpeg", c)),
        "",
      ]);
    }
    const sealRatio = seal.sealMs / seal.floorMs;
    rows.push([
      "Seal a 12-MP JPEG (sealJpeg: hash, record, signature, sealed file in parts)",
      fmtMs(seal.sealMs),
      `${fmtMs(seal.floorMs)} (SHA-256 of file + 1 P-256 sign)`,
      fmtRatio(sealRatio),
      `≤ 1.3× ${check(sealRatio <= 1.3)}`,
    ]);
    rows.push([
      "… capture on the camera (seal + counter transaction + file written)",
      fmtMs(seal.captureMs),
      `${fmtMs(seal.floorWithWriteMs)} (floor + writeFile/rename)`,
      fmtRatio(seal.captureMs / seal.floorWithWriteMs),
      "",
    ]);
    const ingestMsPerPhoto = (ingest.seconds * 1000) / ingest.photos;
    const ingestRatio = ingestMsPerPhoto / ingest.floorMsPerPhoto;
    rows.push([
      `Ingest 12-MP JPEGs over HTTP (batches of ${ingest.batchSize})`,
      `${ingest.photosPerSecond.toFixed(1)} photos/s, ${ingest.mbPerSecond.toFixed(0)} MiB/s`,
      `${(1000 / ingest.floorMsPerPhoto).toFixed(0)} photos/s (SHA-256 of file + 1 P-256 verify)`,
      fmtRatio(ingestRatio),
      `≤ 2× ${check(ingestRatio <= 2)}`,
    ]);
    const httpFloorMs = ingest.transportMsPerPhoto + ingest.floorMsPerPhoto;
    rows.push([
      "… against a floor that also moves the bytes over HTTP",
      `${fmtMs(ingestMsPerPhoto)} per photo`,
      `${fmtMs(httpFloorMs)} (read-only node:http server + SHA-256 + verify)`,
      fmtRatio(ingestMsPerPhoto / httpFloorMs),
      "",
    ]);

    const browserRatio = browserCheck.ratio;
    rows.push([
      "Check a 12-MP photo on the check page, in the browser (src/ core bundled)",
      fmtMs(browserCheck.inBrowserMs),
      `${fmtMs(browserCheck.serverMs)} (same photo uploaded to POST /v1/provenance/check)`,
      `${fmtRatio(browserRatio)} faster`,
      `> 1× ${check(browserRatio > 1)}`,
    ]);

    log(`## Summary (bench ran in ${((now() - started) / 1000).toFixed(0)} s; load average ${loadAtStart} at start, ${loadavg()} at end)`);
    log();
    log(`Machine: ${machineLine}.`);
    log();
    log(markdownTable(["Measure", "SnapSeal", "Floor / reference", "Ratio", "Target"], rows));
    log();
    log(
      `- Verify: ${verify.records} records sealed by ${VERIFY.cameras} registered cameras, ${fmtInt(verify.jpegBytes)}-byte JPEGs (64x48); ` +
        `the variants take turns on chunks of ${VERIFY.chunk} records; median of ${VERIFY.passes} passes. ` +
        "SnapSeal's verifyCapture is handed the sealed JPEG: it extracts the record from the Exif MakerNote, strict-CBOR-decodes record and payload, " +
        "parses authenticatorData and clientDataJSON, finds the credential (in memory), checks type, challenge, origin, rpIdHash and counter, " +
        "verifies the signature with the (cached) imported key, hashes the image data against contentHash " +
        "and verifies the time anchor the payload carries (a second P-256 signature, over a server statement). " +
        "@simplewebauthn/server is handed a ready AuthenticationResponseJSON and the expected challenge, as in a web login: " +
        "base64url decoding, clientData, authenticatorData, rpIdHash, counter, COSE key decode and import, signature. " +
        "The \"same record work\" rows add to it our extraction, CBOR decoding, content hash and challenge computation. " +
        `With the freshness window as at ingest, verifyCapture does ${CONCURRENCIES.map((c) => `${fmtInt(rate("oursIngest", c))} records/s at ${c} in flight`).join(", ")}.`,
    );
    log(
      `- Seal: median of ${seal.runs} runs after ${SEAL.warmup} warm-up on one ${(seal.fileBytes / 2 ** 20).toFixed(1)} MiB 4000x3000 JPEG from readSensor (quality 95). ` +
        "captureAndQueue includes the image hash, EXIF embed, the counter transaction in the camera's libSQL file and writing the sealed file; " +
        "the floor uses node:crypto createHash and WebCrypto sign with a pre-imported key.",
    );
    log(
      `- Ingest: median of ${ingest.rounds} rounds of ${ingest.photos} photos (${(ingest.bytes / 2 ** 20).toFixed(0)} MiB), sequential CBOR capture batches of ${ingest.batchSize} ` +
        "(what a camera's sync sends) encoded before timing, over HTTP to a verifier in the same process (libSQL file, WAL).",
    );
    log(
      `- Check page: medians of ${browserCheck.runs} runs after ${BROWSER_CHECK.warmup} warm-up (the ratio is the median of each run's own ratio, both ways timed back to back), on two recorded ${(browserCheck.photoBytes / 2 ** 20).toFixed(1)} MiB 4000x3000 photos in turn, ` +
        "in headless Debian Chromium. In the browser: the page reads the picked file, extracts and verifies the record with the bundled src/ core " +
        "(WebCrypto SHA-256 of the image data and ES256), fetching the credential's status, the capture's receipt and, once, the anchor keys. " +
        "Server-side: the page uploads the same file to POST /v1/provenance/check and waits for its verdict.",
    );
  } finally {
    clearTimeout(guard);
    await teardown();
  }
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
