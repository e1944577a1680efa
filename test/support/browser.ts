import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type BrowserContext, type Page, chromium } from "playwright-core";

/** Debian's Chromium (scripts/system-deps.sh installs it); never one downloaded by npm. */
export const CHROMIUM = process.env.SNAPSEAL_CHROMIUM ?? "/usr/bin/chromium";

// Without the background-networking flags Chromium keeps dialling Google's
// hosts, which this closed network refuses, many at a time.
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export interface Browser {
  context: BrowserContext;
  newPage(width?: number): Promise<Page>;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh, throw-away profile. */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "snapseal-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
  return {
    context,
    async newPage(width = 1280) {
      const page = await context.newPage();
      await page.setViewportSize({ width, height: width < 600 ? 812 : 900 });
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Where the browser tests leave their screenshots; printed so a run says where to look. */
export const SCREENSHOTS = resolve(process.env.SNAPSEAL_ARTIFACTS ?? "test-artifacts", "screenshots");

let announced = false;

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  if (!announced) {
    console.log(`# screenshots: ${SCREENSHOTS}`);
    announced = true;
  }
  const file = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Form controls a screen reader could not name: every input, select and textarea needs a label. */
export function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea")]
      .filter((control) => !(control as HTMLInputElement).labels?.length && !control.getAttribute("aria-label"))
      .map((control) => control.outerHTML),
  );
}
