// The owner dashboard (/account) in real Chromium against a real verifier:
// sign-up, TOTP enrolment read off the page, sign-in, pairing by the code the
// device CLI prints, photos with thumbnails, rename, revoke, and the public
// check page reporting the revocation. The verifier runs on a TestClock, so
// every TOTP code is made for a step of its own.

import assert from "node:assert/strict";
import { after, afterEach, before, beforeEach, test } from "node:test";
import type { Page } from "playwright-core";
import type { Camera } from "../../device/camera.ts";
import { syncQueue } from "../../device/sync.ts";
import { totpCodeAt } from "../../src/totp/totp-code.ts";
import { type Browser, launchBrowser, screenshot, unlabelledControls } from "../support/browser.ts";
import { startCli } from "../support/cli.ts";
import { OwnerClient, type TestClock } from "../support/owner-client.ts";
import { type World, capture } from "../support/world.ts";
import { captureAndSync, credentialIdOf, factoryResetAndRegister, lifecycleWorld, pairWith } from "../lifecycle/lifecycle-world.ts";

let world: World;
let clock: TestClock;
let browser: Browser;
/** What the page logged as an error (a CSP violation among them) or threw. */
let pageErrors: string[] = [];

before(async () => {
  ({ world, clock } = await lifecycleWorld());
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await world?.close();
});
beforeEach(async () => {
  await browser.context.clearCookies();
  pageErrors = [];
});
afterEach(() => {
  assert.deepEqual(pageErrors, [], "the page logged no errors");
});

async function openDashboard(width = 1280): Promise<Page> {
  const page = await browser.newPage(width);
  page.on("console", (message) => {
    // A refusal the page shows (a wrong code's 401) is also logged by Chromium as a failed request.
    if (message.type() === "error" && !/Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) pageErrors.push(message.text());
  });
  page.on("pageerror", (error) => pageErrors.push(error.message));
  await page.goto(`${world.verifier.url}/account`);
  return page;
}

const heading = (page: Page, name: string | RegExp) => page.getByRole("heading", { level: 1, name });

/** The authenticator app: the code for the verifier's clock, then the clock moves a step on. */
function codeFor(secret: string): string {
  const code = totpCodeAt(secret, clock.now());
  clock.advance(30_000);
  return code;
}

/** Sign-in's first step, the password (submitted with Enter), up to the code step. */
async function passwordStep(page: Page, email: string, password: string): Promise<void> {
  await heading(page, "Sign in").waitFor();
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByLabel("Password").press("Enter");
  await heading(page, "Enter your code").waitFor();
}

async function signInInPage(page: Page, email: string, password: string, secret: string): Promise<void> {
  await passwordStep(page, email, password);
  await page.getByLabel("6-digit code").fill(codeFor(secret));
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await heading(page, "Your cameras").waitFor();
}

/** The page's scroll width: wider than the viewport means a horizontal scroll bar. */
const scrollWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

async function pairByCliCode(page: Page, camera: Camera, name: string): Promise<void> {
  const pairing = startCli(["device", "pair", "--dir", camera.paths.dir]);
  const [, code] = await pairing.output(/^ {4}([0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5})$/m);
  await page.getByLabel(/Pairing code/).fill(code!);
  await page.getByLabel(/^Name/).fill(name);
  await page.getByRole("button", { name: "Pair camera" }).click();
  const done = await pairing.exited;
  assert.equal(done.code, 0, done.stderr);
  await page.locator(".device", { hasText: name }).waitFor();
}

/** Waits until every thumbnail on the page has loaded (each scrolled into view, as they load lazily). */
async function thumbnailsLoaded(page: Page): Promise<number[]> {
  const images = page.locator("#captures img");
  const widths: number[] = [];
  for (let index = 0; index < (await images.count()); index++) {
    const image = images.nth(index);
    await image.scrollIntoViewIfNeeded();
    await page.waitForFunction((element) => (element as HTMLImageElement).complete, await image.elementHandle());
    widths.push(await image.evaluate((element) => (element as HTMLImageElement).naturalWidth));
  }
  return widths;
}

/** The check page's contract: pick the file, then its verdict appears on #verdict. */
async function verdictOf(page: Page, file: string): Promise<string | null> {
  // Picking a file replaces the previous verdict at once (the page's change handler), so this one is the new file's.
  await page.setInputFiles("#photo", file);
  const verdict = page.locator("#verdict[data-verdict]");
  await verdict.waitFor();
  return verdict.getAttribute("data-verdict");
}

test("an owner signs up, enrols TOTP, signs in, pairs a camera, sees its photos, renames and revokes it; the public check reports the revocation", async () => {
  const page = await openDashboard(1280);
  const email = `ada-${process.pid}@example.org`;
  const password = "correct horse battery staple";

  // Sign up in the page.
  await heading(page, "Sign in").waitFor();
  await page.getByRole("button", { name: "Create an account" }).click();
  await heading(page, "Create an owner account").waitFor();
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel(/^Display name/).fill("Ada Lovelace");
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole("button", { name: "Create account" }).click();

  // Enrol TOTP with the secret as the page shows it.
  await heading(page, "Set up your authenticator app").waitFor();
  const qr = page.getByRole("img", { name: /QR code/ });
  assert.match((await qr.getAttribute("src")) ?? "", /^data:image\/svg\+xml;base64,/);
  assert.ok(await qr.evaluate((element) => (element as HTMLImageElement).naturalWidth > 0), "the QR code renders");
  const secret = (await page.locator("#totp-secret").innerText()).replace(/\s/g, "");
  assert.match(secret, /^[A-Z2-7]{32}$/);
  await page.getByLabel("6-digit code").fill(codeFor(secret));
  await page.getByLabel("6-digit code").press("Enter");
  await heading(page, "Save your recovery codes").waitFor();
  const recoveryCodes = await page.locator("#recovery-codes li").allInnerTexts();
  assert.equal(recoveryCodes.length, 10);
  for (const code of recoveryCodes) assert.match(code, /^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/i);
  await page.getByRole("button", { name: "I have saved them" }).click();
  await heading(page, "Your cameras").waitFor();
  assert.equal(await page.locator("#who-name").innerText(), "Ada Lovelace");

  // Sign out, then in again with password and a code a step later.
  await page.getByRole("button", { name: "Sign out" }).click();
  await heading(page, "Sign in").waitFor();
  await page.getByText("You are signed out.").waitFor();
  await signInInPage(page, email, password, secret);
  await page.reload();
  await heading(page, "Your cameras").waitFor();

  // Pair the camera by the code `snapseal device pair` prints.
  const camera = await world.newCamera("SN-DASH-STORY");
  await pairByCliCode(page, camera, "Kitchen window");
  const card = page.locator(".device", { hasText: "Kitchen window" });
  assert.equal(await card.locator(".chip.status").innerText(), "Valid");
  assert.match(await card.innerText(), /Acme X1/);
  assert.match(await card.innerText(), /SN-DASH-STORY/);

  // The camera captures and syncs; the page shows the photos, newest first, with thumbnails.
  const synced = [];
  for (const seed of [21, 22, 23]) {
    const one = await captureAndSync(camera, clock, seed);
    assert.ok(one.captureId, `recorded: ${one.code}`);
    synced.push(one);
  }
  await page.reload();
  await page.getByRole("button", { name: "Manage Kitchen window" }).click();
  await heading(page, "Kitchen window").waitFor();
  await page.locator("#captures li").nth(2).waitFor();
  const links = await page.locator("#captures a").evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute("href")));
  assert.deepEqual(links, synced.map((one) => `/c/${one.captureId}`).reverse());
  const images = page.locator("#captures img");
  assert.deepEqual(await images.evaluateAll((all) => all.map((image) => [image.getAttribute("loading"), image.getAttribute("width"), image.getAttribute("height")])), [
    ["lazy", "160", "120"],
    ["lazy", "160", "120"],
    ["lazy", "160", "120"],
  ]);
  assert.deepEqual(await thumbnailsLoaded(page), [160, 160, 160]);
  await screenshot(page, "dashboard-camera-1280");

  // The same dashboard on a phone: no horizontal scroll.
  const phone = await browser.newPage(375);
  await phone.goto(`${world.verifier.url}/account`);
  await heading(phone, "Your cameras").waitFor();
  await phone.locator("#audit-log tbody tr").first().waitFor();
  assert.ok((await scrollWidth(phone)) <= 375, `no horizontal overflow at 375 px (${await scrollWidth(phone)})`);
  await screenshot(phone, "dashboard-375");
  await phone.getByRole("button", { name: "Manage Kitchen window" }).click();
  await phone.locator("#captures img").first().waitFor();
  assert.deepEqual(await thumbnailsLoaded(phone), [160, 160, 160]);
  assert.ok((await scrollWidth(phone)) <= 375, `no horizontal overflow at 375 px on the camera's page (${await scrollWidth(phone)})`);
  await screenshot(phone, "dashboard-camera-375");
  await phone.close();

  // Rename.
  await page.getByLabel("Name", { exact: true }).fill("Garden shed");
  await page.getByRole("button", { name: "Rename" }).click();
  await heading(page, "Garden shed").waitFor();
  await page.getByText("Renamed to Garden shed.").waitFor();

  // Revoke, a minute after the sync (the verifier's clock stands still unless moved, and a
  // photo counts as sealed before a revocation only when it was sealed and received strictly
  // before it): asked first, then the camera shows as revoked.
  clock.advance(60_000);
  await page.getByRole("button", { name: "Revoke" }).click();
  const dialog = page.getByRole("dialog", { name: "Revoke Garden shed?" });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /cannot be undone/);
  await dialog.getByRole("button", { name: "Revoke" }).click();
  await page.locator('.chip.status[data-status="revoked"]').waitFor();
  assert.equal(await page.locator("#device .chip.status").innerText(), "Revoked");
  const credentialId = await credentialIdOf(camera);
  const status = await (await fetch(`${world.verifier.url}/v1/credentials/${credentialId}/status`)).json();
  assert.equal(status.status, "revoked");

  // The dashboard's list and activity log say so too, newest first.
  await page.getByRole("button", { name: "All cameras" }).click();
  await heading(page, "Your cameras").waitFor();
  assert.equal(await page.locator(".device", { hasText: "Garden shed" }).locator(".chip.status").innerText(), "Revoked");
  await page.locator('#audit-log tr[data-action="revoked"]').waitFor();
  const actions = await page.locator("#audit-log tbody tr").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-action")));
  assert.deepEqual(actions.slice(0, 3), ["revoked", "renamed", "paired"]);
  await screenshot(page, "dashboard-1280");

  // A photo sealed after the revocation is refused at sync.
  const late = await captureAndSync(camera, clock, 24);
  assert.deepEqual([late.captureId, late.code], [null, "credential_revoked"]);

  // The public check page: the old photo is authentic, sealed before the revocation; the new one is not.
  await page.goto(`${world.verifier.url}/`);
  assert.equal(await verdictOf(page, synced[0]!.file), "authentic");
  assert.match(await page.locator("#revocation").innerText(), /revoked/i);
  assert.equal(await verdictOf(page, late.file), "invalid");
  assert.match(await page.locator("#verdict .reason").innerText(), /revoked/i);
  await page.close();
});

test("a camera's photos come a page at a time, newest first, with Load more until the last", async () => {
  const owner = await OwnerClient.signUpAndEnrol(world.verifier.url, clock);
  const camera = await world.newCamera();
  await pairWith(owner, camera, "Busy camera");
  for (let seed = 1; seed <= 25; seed++) await capture(camera, 100 + seed, { capturedAt: clock.now(), width: 96, height: 64 });
  assert.equal((await syncQueue(camera)).recorded, 25);
  const page = await openDashboard();
  await signInInPage(page, owner.email, owner.password, owner.totpSecret);
  await page.getByRole("button", { name: "Manage Busy camera" }).click();
  await page.locator("#captures li").nth(23).waitFor();
  assert.equal(await page.locator("#captures li").count(), 24);
  await page.getByRole("button", { name: "Load more" }).first().click();
  await page.locator("#captures li").nth(24).waitFor();
  assert.equal(await page.locator("#captures-more").isHidden(), true, "no more to load");
  const counters = await page.locator("#captures .capture-number").allInnerTexts();
  const listed = await owner.request("GET", `/v1/owner/devices/${await credentialIdOf(camera)}/captures?limit=200`);
  assert.equal(listed.body.captures.length, 25);
  assert.deepEqual(counters, listed.body.captures.map((item: { counter: number }) => `#${item.counter}`), "newest (highest counter) first, no repeats");
  await page.close();
});

test("a wrong TOTP code says so and stays on the code step; the right one signs in", async () => {
  const owner = await OwnerClient.signUpAndEnrol(world.verifier.url, clock);
  const page = await openDashboard();
  await passwordStep(page, owner.email, owner.password);
  // A code of none of the steps the verifier accepts now (its clock, one step either side).
  const near = [-30_000, 0, 30_000].map((offset) => totpCodeAt(owner.totpSecret, clock.now() + offset));
  const wrong = ["000000", "111111", "222222", "333333"].find((code) => !near.includes(code))!;
  await page.getByLabel("6-digit code").fill(wrong);
  await page.getByLabel("6-digit code").press("Enter");
  const alert = page.getByRole("alert");
  await alert.waitFor();
  assert.match(await alert.innerText(), /That code is not right/);
  assert.equal(await heading(page, "Enter your code").count(), 1, "still on the code step");
  await page.getByLabel("6-digit code").fill(owner.totpCode());
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await heading(page, "Your cameras").waitFor();
  await page.close();
});

test("a wrong password says so in plain words", async () => {
  const owner = await OwnerClient.signUpAndEnrol(world.verifier.url, clock);
  const page = await openDashboard();
  await heading(page, "Sign in").waitFor();
  await page.getByLabel("Email address").fill(owner.email);
  await page.getByLabel("Password").fill(`${owner.password} but wrong`);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("alert").waitFor();
  assert.equal(await page.getByRole("alert").innerText(), "The email address or the password is wrong.");
  await heading(page, "Sign in").waitFor();
  await page.close();
});

test("report stolen (after a cancelled revoke) and transfer show the camera's new status and a working transfer code", async () => {
  const owner = await OwnerClient.signUpAndEnrol(world.verifier.url, clock);
  const stolen = await world.newCamera();
  const given = await world.newCamera();
  const stolenId = await pairWith(owner, stolen, "Lost on the train");
  await pairWith(owner, given, "Gift for Bo");
  const page = await openDashboard();
  await signInInPage(page, owner.email, owner.password, owner.totpSecret);

  await page.getByRole("button", { name: "Manage Lost on the train" }).click();
  await heading(page, "Lost on the train").waitFor();
  await page.getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
  assert.equal(await page.locator("#device .chip.status").innerText(), "Valid", "a cancelled revoke changes nothing");
  assert.equal((await owner.request("GET", `/v1/owner/devices/${stolenId}`)).body.device.status, "owned");

  await page.getByRole("button", { name: "Report stolen" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Report stolen" }).click();
  await page.locator('#device .chip.status[data-status="stolen"]').waitFor();
  assert.equal(await page.locator("#device .chip.status").innerText(), "Reported stolen");
  assert.equal(await page.getByRole("button", { name: "Report stolen" }).count(), 0, "a stolen camera cannot be reported again");
  const status = await (await fetch(`${world.verifier.url}/v1/credentials/${stolenId}/status`)).json();
  assert.equal(status.status, "stolen");

  await page.getByRole("button", { name: "All cameras" }).click();
  await page.getByRole("button", { name: "Manage Gift for Bo" }).click();
  await heading(page, "Gift for Bo").waitFor();
  await page.getByRole("button", { name: "Start a transfer" }).click();
  const transferCode = await page.locator("#transfer-code").innerText();
  assert.match(transferCode, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  const expires = await page.locator("#transfer-expires time").getAttribute("datetime");
  assert.ok(Date.parse(expires!) > clock.now(), "the code's expiry is shown, in the future");
  await page.getByRole("button", { name: "Sign out" }).click();
  await heading(page, "Sign in").waitFor();
  await page.close();

  // The receiving owner enters the code on their own dashboard.
  const receiver = await OwnerClient.signUpAndEnrol(world.verifier.url, clock);
  const theirs = await openDashboard();
  await signInInPage(theirs, receiver.email, receiver.password, receiver.totpSecret);
  await theirs.getByText("Receive a camera").click();
  await theirs.getByLabel(/Transfer code/).fill(transferCode);
  await theirs.getByLabel(/Your name for it/).fill("From Ada");
  await theirs.getByRole("button", { name: "Receive camera" }).click();
  await theirs.getByRole("button", { name: "Manage From Ada" }).waitFor();
  assert.equal((await receiver.request("GET", "/v1/owner/devices")).body.devices[0].name, "From Ada");
  await theirs.close();
});

test("pairing with a wrong code says so and pairs nothing", async () => {
  const owner = await OwnerClient.signUpAndEnrol(world.verifier.url, clock);
  const page = await openDashboard();
  await signInInPage(page, owner.email, owner.password, owner.totpSecret);
  await page.getByLabel(/Pairing code/).fill("ZZZZZ-ZZZZZ");
  await page.getByLabel(/^Name/).fill("Nope");
  await page.getByRole("button", { name: "Pair camera" }).click();
  await page.getByRole("alert").waitFor();
  assert.match(await page.getByRole("alert").innerText(), /No camera is showing that pairing code/);
  assert.deepEqual((await owner.request("GET", "/v1/owner/devices")).body.devices, []);
  await page.close();
});

test("at 375 px wide the sign-in, sign-up and enrolment views have no horizontal overflow", async () => {
  const page = await openDashboard(375);
  await heading(page, "Sign in").waitFor();
  assert.ok((await scrollWidth(page)) <= 375);
  await page.getByRole("button", { name: "Create an account" }).click();
  await page.getByLabel("Email address").fill(`narrow-${process.pid}@example.org`);
  await page.getByLabel(/^Display name/).fill("Narrow Screen");
  await page.getByLabel(/^Password/).fill("a long enough password");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.locator("#totp-secret").waitFor();
  assert.ok((await scrollWidth(page)) <= 375, `no horizontal overflow (${await scrollWidth(page)})`);
  await screenshot(page, "enrol-375");
  await page.close();
});

test("when the session expires, the next action leads back to sign-in and says why", async () => {
  const owner = await OwnerClient.signUpAndEnrol(world.verifier.url, clock);
  const page = await openDashboard();
  await signInInPage(page, owner.email, owner.password, owner.totpSecret);
  // Past the session's lifetime (SNAPSEAL_SESSION_HOURS, default 12) on the verifier's clock.
  clock.advance(13 * 60 * 60 * 1000);
  await page.getByLabel(/Pairing code/).fill("ZZZZZ-ZZZZZ");
  await page.getByLabel(/^Name/).fill("Too late");
  await page.getByRole("button", { name: "Pair camera" }).click();
  await heading(page, "Sign in").waitFor();
  assert.equal(await page.getByRole("alert").innerText(), "Your session has ended. Sign in again.");
  await page.close();
});

test("a lost phone: signing in with a recovery code works once, and says how many are left", async () => {
  const owner = await OwnerClient.signUpAndEnrol(world.verifier.url, clock);
  const page = await openDashboard();
  await passwordStep(page, owner.email, owner.password);
  assert.deepEqual(await unlabelledControls(page), []);
  await page.getByText("Lost your phone? Use a recovery code").click();
  await page.getByRole("textbox", { name: /^Recovery code/ }).fill(owner.recoveryCodes[0]!);
  await page.getByRole("button", { name: "Sign in with recovery code" }).click();
  await heading(page, "Your cameras").waitFor();
  assert.match(await page.locator("#messages").innerText(), /You signed in with a recovery code\. 9 recovery codes left\./);
  assert.deepEqual(await unlabelledControls(page), []);
  await page.getByRole("button", { name: "Sign out" }).click();

  // The same code a second time is refused in plain words.
  await passwordStep(page, owner.email, owner.password);
  await page.getByText("Lost your phone? Use a recovery code").click();
  await page.getByRole("textbox", { name: /^Recovery code/ }).fill(owner.recoveryCodes[0]!);
  await page.getByRole("button", { name: "Sign in with recovery code" }).click();
  await page.getByRole("alert").waitFor();
  assert.equal(await page.getByRole("alert").innerText(), "That recovery code is wrong or was used already.");
  await page.close();
});

test("a factory-reset camera waits for its owner, who approves it on the dashboard", async () => {
  const owner = await OwnerClient.signUpAndEnrol(world.verifier.url, clock);
  const camera = await world.newCamera();
  await pairWith(owner, camera, "Doorbell");
  const reset = await factoryResetAndRegister(camera, world.verifier.url);
  assert.equal(reset.pendingApproval, true);
  const page = await openDashboard();
  await signInInPage(page, owner.email, owner.password, owner.totpSecret);
  const pending = page.locator(`[data-device-id="${reset.credentialId}"]`);
  assert.equal(await pending.locator(".chip.status").innerText(), "Waiting for your approval");
  await pending.getByRole("button", { name: /^Review/ }).click();
  await page.locator("#approve").click();
  await page.locator('#device .chip.status[data-status="owned"]').waitFor();
  const status = await (await fetch(`${world.verifier.url}/v1/credentials/${reset.credentialId}/status`)).json();
  assert.equal(status.status, "valid");
  assert.equal(status.owner.displayName, owner.displayName);
  await page.close();
});
