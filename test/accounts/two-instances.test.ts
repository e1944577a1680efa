// Two verifier instances on one libSQL file: a TOTP code sent to both at once
// signs in once, because the database, not an instance, remembers used steps.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { defaultConfig } from "../../verifier/config.ts";
import { type NodeVerifier, serveVerifier } from "../../verifier/node.ts";
import { OwnerClient, TestClock } from "../support/owner-client.ts";

const clock = new TestClock();
let dir: string;
let first: NodeVerifier;
let second: NodeVerifier;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "snapseal-two-"));
  const config = { ...defaultConfig, databaseUrl: `file:${join(dir, "verifier.db")}`, trustedRootsPem: [], passwordCostLog2: 10 };
  first = await serveVerifier(config, 0, { now: clock.now });
  second = await serveVerifier(config, 0, { now: clock.now });
});
after(async () => {
  await first?.stop();
  await second?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("the same TOTP code sent to two instances at once is accepted by one of them", async () => {
  const enrolled = await OwnerClient.signUpAndEnrol(first.url, clock);
  const browsers = [first, second].map((instance) => {
    const browser = new OwnerClient(instance.url, clock, enrolled.email, enrolled.password, enrolled.displayName);
    browser.totpSecret = enrolled.totpSecret;
    return browser;
  });
  for (const browser of browsers) {
    assert.equal((await browser.request("POST", "/v1/account/signin", { email: browser.email, password: browser.password })).status, 200);
  }
  const code = enrolled.totpCode();
  const answers = await Promise.all(browsers.map((browser) => browser.request("POST", "/v1/account/signin/code", { code })));
  assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 401]);
  assert.equal(answers.find((answer) => answer.status === 401)!.body.error.code, "totp_reused");
});
