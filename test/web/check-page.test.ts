import assert from "node:assert/strict";
import { readFile, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import sharp from "sharp";
import { concatBytes } from "../../src/bytes.ts";
import { readJpegLayout } from "../../src/jpeg/segments.ts";
import { type Browser, launchBrowser, screenshot, unlabelledControls } from "../support/browser.ts";
import { OwnerClient, TestClock } from "../support/owner-client.ts";
import { exiftool } from "../support/tamper.ts";
import { type World, capture } from "../support/world.ts";
import { captureAndSync, lifecycleWorld, pairWith } from "../lifecycle/lifecycle-world.ts";

let world: World;
let clock: TestClock;
let browser: Browser;
let owner: OwnerClient;
const files: Record<string, string> = {};
let recordedId: string;

before(async () => {
  ({ world, clock } = await lifecycleWorld());
  browser = await launchBrowser();
  const camera = await world.newCamera("SN-WEB-1");
  owner = await OwnerClient.signUpAndEnrol(world.verifier.url, clock, { displayName: "Ada Lovelace" });
  await pairWith(owner, camera, "Street camera");
  const synced = await captureAndSync(camera, clock, 11);
  assert.ok(synced.captureId, `recorded: ${synced.code}`);
  recordedId = synced.captureId;
  files.authentic = synced.file;
  const authentic = new Uint8Array(await readFile(synced.file));
  files.altered = await save("altered.jpg", await paintPatch(authentic));
  files.stripped = await save("stripped.jpg", exiftool(authentic, ["-all="]));
  files.notImage = await save("notes.jpg", new TextEncoder().encode("this is a text file with a .jpg name\n"));
  files.empty = await save("empty.jpg", new Uint8Array(0));
  files.huge = await save("huge.jpg", authentic.subarray(0, 1024));
  // Sparse: 200 MB that the page must refuse by its size without reading it.
  await truncate(files.huge, 200 * 1024 * 1024);
  files.png = await save("photo.png", new Uint8Array(await sharp(authentic).png().toBuffer()));
  const elsewhere = await lifecycleWorld();
  try {
    const stranger = await capture(await elsewhere.world.newCamera("SN-ELSEWHERE"), 3, { width: 160, height: 120 });
    files.unknown = await save("unknown.jpg", new Uint8Array(await readFile(stranger.file)));
  } finally {
    await elsewhere.world.close();
  }
});

after(async () => {
  await browser?.close();
  await world?.close();
});

async function save(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(world.dir, name);
  await writeFile(path, bytes);
  return path;
}

/** An edit a person would make: paint over part of the picture and save it again, keeping the camera's metadata (and so its record). */
async function paintPatch(jpeg: Uint8Array): Promise<Uint8Array> {
  const patch = await sharp({ create: { width: 24, height: 24, channels: 3, background: { r: 250, g: 20, b: 20 } } }).png().toBuffer();
  const edited = new Uint8Array(await sharp(jpeg).composite([{ input: patch, left: 60, top: 40 }]).jpeg({ quality: 90 }).toBuffer());
  return concatBytes(jpeg.subarray(0, readJpegLayout(jpeg).imageDataStart), edited.subarray(readJpegLayout(edited).imageDataStart));
}

async function check(file: string, width = 1280): Promise<{ page: Page; verdict: string; title: string; reason: string }> {
  const page = await browser.newPage(width);
  await page.goto(`${world.verifier.url}/`);
  // Every layout shift from here on, whether or not it follows input.
  await page.evaluate(() => {
    (window as unknown as { shifts: number }).shifts = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) (window as unknown as { shifts: number }).shifts += (entry as unknown as { value: number }).value;
    }).observe({ type: "layout-shift", buffered: true });
  });
  await page.setInputFiles("#photo", file);
  const banner = page.locator("#verdict[data-verdict]");
  await banner.waitFor({ timeout: 20_000 });
  return {
    page,
    verdict: (await banner.getAttribute("data-verdict"))!,
    title: await page.locator("#verdict .title").innerText(),
    reason: await page.locator("#verdict .reason").innerText(),
  };
}

async function noHorizontalOverflow(page: Page): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  assert.ok(scrollWidth <= innerWidth, `page is ${scrollWidth}px wide in a ${innerWidth}px window`);
}

test("an authentic photo reads authentic, with the right camera and owner, at 1280 and 375 px", async () => {
  for (const width of [1280, 375]) {
    const { page, verdict, title } = await check(files.authentic!, width);
    assert.equal(verdict, "authentic");
    assert.equal(title, "Authentic");
    assert.equal(await page.locator("#verdict").getAttribute("data-tone"), "ok");
    assert.match(await page.locator("#camera").innerText(), /Acme X1 · serial SN-WEB-1/);
    assert.match(await page.locator("#owner").innerText(), /Ada Lovelace \(owner when this was taken\)/);
    assert.match(await page.locator("#time-trust").innerText(), /Server-bounded/);
    // The pairing assertion used counter 1, so the first capture signs with 2.
    assert.match(await page.locator("#chain").innerText(), /Capture 1 of this camera \(counter 2\); the camera's first capture; its latest recorded capture/);
    // The photo shown is the visitor's own, from memory, and it decoded.
    assert.ok(await page.locator("figure.photo img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 160));
    // Nothing on the page moved while the answer and the photo arrived (shifts are reported after the frame that paints them).
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    assert.equal(await page.evaluate(() => (window as unknown as { shifts: number }).shifts), 0);
    assert.deepEqual(await unlabelledControls(page), []);
    // A screen reader lands on the verdict; the keyboard opens the technical view.
    assert.equal(await page.evaluate(() => document.activeElement?.id), "verdict-title");
    await noHorizontalOverflow(page);
    await screenshot(page, `check-authentic-${width}`);
    await page.locator("#technical summary").focus();
    await page.keyboard.press("Enter");
    assert.deepEqual(await page.locator("#flags li").allInnerTexts(), ["UP=0", "UV=0", "BE=0", "BS=0", "AT=0", "ED=0"]);
    assert.equal(await page.locator("#sign-count").innerText(), "2");
    assert.match(await page.locator("#client-data").innerText(), /"type": "webauthn.get"/);
    // The lazily loaded X.509 parser fills in the certificate's subject.
    await page.locator("#certificate dd", { hasText: "SN-WEB-1" }).first().waitFor();
    assert.match(await page.locator("#certificate-pem").innerText(), /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+\n-----END CERTIFICATE-----$/);
    await noHorizontalOverflow(page);
    await screenshot(page, `check-technical-${width}`);
    await page.close();
  }
});

test("a photo whose pixels were edited reads altered, in red, never authentic", async () => {
  const { page, verdict, title } = await check(files.altered!);
  assert.equal(verdict, "altered");
  assert.equal(title, "Altered");
  assert.equal(await page.locator("#verdict").getAttribute("data-tone"), "bad");
  assert.equal(await page.locator('#checks li[data-step="content"]').getAttribute("data-state"), "failed");
  await screenshot(page, "check-altered-1280");
  await page.close();
});

test("a photo stripped of its metadata reads no record", async () => {
  const { page, verdict, reason } = await check(files.stripped!, 375);
  assert.equal(verdict, "no_record");
  assert.match(reason, /no SnapSeal capture record/);
  await noHorizontalOverflow(page);
  await screenshot(page, "check-no-record-375");
  await page.close();
});

test("a photo from a camera this verifier never registered reads unknown device", async () => {
  const { page, verdict } = await check(files.unknown!);
  assert.equal(verdict, "unknown_device");
  assert.match(await page.locator("#camera").innerText(), /not registered here/);
  await page.close();
});

for (const [name, pattern] of [
  ["notImage", /not an image this page can read/],
  ["empty", /empty \(0 bytes\)/],
  ["huge", /200 MB; the check reads photos up to 64 MB/],
  ["png", /a PNG image/],
] as const) {
  test(`bad input (${name}): the page says what is wrong`, async () => {
    const { page, verdict, reason } = await check(files[name]!);
    assert.equal(verdict, "bad_input");
    assert.match(reason, pattern);
    if (name === "png") await screenshot(page, "check-bad-input-png");
    await page.close();
  });
}

test("a verifier that went away while the page was open: the check says it could not finish, and why", async () => {
  const { world: gone } = await lifecycleWorld();
  const page = await browser.newPage(1280);
  try {
    await page.goto(`${gone.verifier.url}/`);
  } finally {
    await gone.close();
  }
  await page.setInputFiles("#photo", files.authentic!);
  await page.locator("#verdict[data-verdict]").waitFor();
  assert.equal(await page.locator("#verdict").getAttribute("data-verdict"), "bad_input");
  assert.match(await page.locator("#verdict .reason").innerText(), /could not finish: cannot reach the verifier/);
  await page.close();
});

test("the permalink of a recorded capture shows its record, signature checked in the page, and says the pixels were not", async () => {
  const page = await browser.newPage(1280);
  await page.goto(`${world.verifier.url}/c/${recordedId}`);
  await page.locator("#verdict[data-verdict]").waitFor();
  assert.equal(await page.locator("#verdict .title").innerText(), "Genuine record");
  assert.equal(await page.locator("#verdict").getAttribute("data-tone"), "plain");
  assert.match(await page.locator("#owner").innerText(), /Ada Lovelace/);
  assert.equal(await page.locator('#checks li[data-step="signature"]').getAttribute("data-state"), "passed");
  assert.equal(await page.locator('#checks li[data-step="content"]').getAttribute("data-state"), "not checked");
  // Picking the photo there checks its pixels too.
  await page.setInputFiles("#photo", files.authentic!);
  await page.locator("#verdict[data-verdict=authentic] .title", { hasText: /^Authentic$/ }).waitFor();
  await page.goto(`${world.verifier.url}/c/AAAAAAAAAAAAAAAAAAAAAAAA`);
  await page.locator("#verdict[data-verdict]").waitFor();
  assert.equal(await page.locator("#verdict .title").innerText(), "No such capture");
  await page.close();
});
