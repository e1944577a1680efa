// The check page verifies a photo in the visitor's browser with the src/ core
// (web/check/main.ts); the alternative is to upload it to POST
// /v1/provenance/check. Both are timed in the same Chromium, from bytes the
// page already holds to a verdict, taking turns on the same sealed photos.

import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SealedCapture } from "../src/record/seal-record.ts";
import { launchBrowser } from "../test/support/browser.ts";
import type { World } from "../test/support/world.ts";
import { log, median, fmtMs } from "./util.ts";

export interface BrowserCheckResult {
  runs: number;
  photoBytes: number;
  inBrowserMs: number;
  serverMs: number;
  /** Median over the runs of server-side time / in-browser time. */
  ratio: number;
}

export async function benchBrowserCheck(world: World, photos: readonly SealedCapture[], options: { runs: number; warmup: number }): Promise<BrowserCheckResult> {
  // Two photos in turn, so every pick is a change the page must answer.
  const files = await Promise.all(
    photos.slice(0, 2).map(async (photo, index) => {
      const file = join(world.dir, `bench-check-${index}.jpg`);
      await writeFile(file, photo.jpeg);
      return file;
    }),
  );
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage(1280);
    await page.goto(`${world.verifier.url}/`);
    const inBrowser: number[] = [];
    const server: number[] = [];
    for (let run = 0; run < options.warmup + options.runs; run++) {
      const file = files[run % files.length]!;
      await page.evaluate(() => {
        document.getElementById("result")!.replaceChildren();
        performance.clearMeasures("snapseal:check");
      });
      // The page says when its verdict is in; the bench does not poll it, which would load the process that serves the verifier.
      const answered = page.evaluate(
        () =>
          new Promise<string>((resolve) => {
            const result = document.getElementById("result")!;
            const observer = new MutationObserver(() => {
              const verdict = result.querySelector("#verdict[data-verdict]");
              if (verdict === null) return;
              observer.disconnect();
              resolve(verdict.getAttribute("data-verdict")!);
            });
            observer.observe(result, { childList: true });
          }),
      );
      await page.setInputFiles("#photo", file);
      const verdict = await answered;
      if (verdict !== "authentic") throw new Error(`the page said ${verdict} for a sealed bench photo`);
      const browserMs = await page.evaluate(() => performance.getEntriesByName("snapseal:check")[0]!.duration);
      // The page then shows the photo; its 12-MP decode must not run into the next measurement.
      await page.evaluate(() => document.querySelector<HTMLImageElement>("figure.photo img")?.decode());
      // The same bytes the page holds, uploaded to the server-side check.
      const serverMs = await page.evaluate(async () => {
        const picked = (document.getElementById("photo") as HTMLInputElement).files![0]!;
        const started = performance.now();
        const response = await fetch("/v1/provenance/check", { method: "POST", headers: { "content-type": "image/jpeg" }, body: picked });
        const answer = (await response.json()) as { verdict: string };
        if (answer.verdict !== "authentic") throw new Error(`the server said ${answer.verdict}`);
        return performance.now() - started;
      });
      if (run >= options.warmup) {
        inBrowser.push(browserMs);
        server.push(serverMs);
      }
    }
    // Each run times both ways back to back, so the ratio is taken per run: a load that comes and goes on a shared machine moves both.
    const ratio = median(inBrowser.map((ms, run) => server[run]! / ms));
    const result = { runs: options.runs, photoBytes: photos[0]!.jpeg.length, inBrowserMs: median(inBrowser), serverMs: median(server), ratio };
    log(
      `  in the browser: median ${fmtMs(result.inBrowserMs)} (min ${fmtMs(Math.min(...inBrowser))}); uploaded to POST /v1/provenance/check: median ${fmtMs(result.serverMs)} (min ${fmtMs(Math.min(...server))}); median ratio per run ${ratio.toFixed(2)} (${options.runs} runs)`,
    );
    return result;
  } finally {
    await browser.close();
  }
}
