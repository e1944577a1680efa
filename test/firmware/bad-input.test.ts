// Acceptance: "Bad input on every new route and command: clear error, never a
// 500 or a crash."
//
// Table-driven, over real HTTP for the verifier's firmware routes (a stored
// release must stay exactly as it was), socket-free for the co-signer (every
// refusal is logged, nothing else changes), and the real CLI in a child for
// every new command (a message, a non-zero exit, never a stack trace).

import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { toBase64Url, toHex } from "../../src/bytes.ts";
import { type CborValue, encodeCanonical } from "../../src/cbor/canonical.ts";
import { encodeManifest, manifestMap } from "../../src/firmware/manifest.ts";
import { MAX_RELEASE_BYTES, encodeRelease, signManifest } from "../../src/firmware/release.ts";
import { firmwareKeyToJson, initialKeySet, keySetToJson } from "../../src/firmware/key-set.ts";
import { newKeyRingEntry } from "../../src/secrets/envelope.ts";
import { readLog } from "../../cosigner/db/log.ts";
import { setUpCosigner } from "../../cosigner/set-up.ts";
import { type NodeCosigner, serveCosigner } from "../../cosigner/node.ts";
import { manufactureCamera } from "../../device/manufacture/manufacture-camera.ts";
import { saveVendorCa } from "../../device/manufacture/vendor-ca.ts";
import { DAY, type FirmwareWorld, MODEL, createFirmwareWorld, firmwareImage, manifestFor, newReleaseKey, signRelease, snapseal, wrongCode } from "./support.ts";

let world: FirmwareWorld;

before(async () => {
  world = await createFirmwareWorld();
  await world.release("1.1.0");
});
after(() => world.close());

async function stored(): Promise<string[]> {
  const rows: string[] = [];
  for (const table of ["firmware_releases", "firmware_images", "firmware_key_sets"]) {
    const result = await world.verifier.services.db.execute(`SELECT * FROM ${table} ORDER BY rowid`);
    for (const row of result.rows) rows.push(JSON.stringify(result.columns.map((column) => [column, row[column] instanceof ArrayBuffer ? toHex(new Uint8Array(row[column])) : row[column]])));
  }
  return rows;
}

function form(parts: Record<string, Uint8Array | string>): FormData {
  const body = new FormData();
  for (const [name, value] of Object.entries(parts)) {
    if (typeof value === "string") body.append(name, value);
    else body.append(name, new Blob([value as Uint8Array<ArrayBuffer>]), `${name}.bin`);
  }
  return body;
}

function nested(depth: number): Uint8Array {
  return new Uint8Array([...new Array(depth).fill(0x81), 0x00]);
}

describe("the verifier's firmware routes", () => {
  let baseline: string[];
  before(async () => {
    baseline = await stored();
    assert.equal(baseline.length, 2, "setup: one release and its image");
  });
  afterEach(async () => assert.deepEqual(await stored(), baseline, "stored releases, images and key sets are unchanged"));

  const image = firmwareImage("2.0.0");
  const manifest = () => manifestFor(image, world.verifier.url, { version: "2.0.0" }, world.keys);
  const both = () => [world.keys.vendor, world.keys.cosigner];

  const posts: { name: string; code: string; status: number; body: () => Promise<RequestInit> }[] = [
    { name: "JSON instead of multipart", code: "unsupported_media_type", status: 415, body: async () => ({ headers: { "content-type": "application/json" }, body: "{}" }) },
    { name: "no content type", code: "unsupported_media_type", status: 415, body: async () => ({ body: new Uint8Array([1, 2, 3]) as Uint8Array<ArrayBuffer> }) },
    { name: "a multipart body that does not parse", code: "bad_request", status: 400, body: async () => ({ headers: { "content-type": "multipart/form-data; boundary=x" }, body: "garbage" }) },
    { name: "no image part", code: "bad_request", status: 400, body: async () => ({ body: form({ release: signRelease(await manifest(), both()) }) }) },
    { name: "the release as a text field", code: "bad_request", status: 400, body: async () => ({ body: form({ release: "hello", image }) }) },
    { name: "random release bytes", code: "firmware_manifest_malformed", status: 400, body: async () => ({ body: form({ release: crypto.getRandomValues(new Uint8Array(300)), image }) }) },
    { name: "an empty release", code: "firmware_manifest_malformed", status: 400, body: async () => ({ body: form({ release: new Uint8Array(0), image }) }) },
    { name: "a release with trailing bytes", code: "firmware_manifest_malformed", status: 400, body: async () => ({ body: form({ release: new Uint8Array([...signRelease(await manifest(), both()), 0]), image }) }) },
    { name: "CBOR nested 10,000 deep", code: "firmware_manifest_malformed", status: 400, body: async () => ({ body: form({ release: nested(10_000), image }) }) },
    { name: "a release over the size limit", code: "firmware_manifest_malformed", status: 400, body: async () => ({ body: form({ release: new Uint8Array(MAX_RELEASE_BYTES + 1), image }) }) },
    {
      name: "a manifest with an unknown field",
      code: "firmware_manifest_malformed",
      status: 400,
      body: async () => {
        const withExtra = new Map<string, CborValue>([...manifestMap(await manifest()), ["extra", 1]]);
        const bytes = encodeCanonical(withExtra);
        return { body: form({ release: encodeRelease(bytes, both().map((key) => signManifest(key.secretKey, bytes))), image }) };
      },
    },
    { name: "a manifest with a huge size", code: "firmware_manifest_malformed", status: 400, body: async () => ({ body: form({ release: rawRelease({ ...fieldsOf(await manifest()), size: 2 ** 40 }), image }) }) },
    { name: "a manifest with a non-http URL", code: "firmware_manifest_malformed", status: 400, body: async () => ({ body: form({ release: rawRelease({ ...fieldsOf(await manifest()), url: "file:///etc/passwd" }), image }) }) },
    { name: "a manifest with a bad version", code: "firmware_manifest_malformed", status: 400, body: async () => ({ body: form({ release: rawRelease({ ...fieldsOf(await manifest()), version: "01.2.3" }), image }) }) },
    { name: "only the vendor's signature", code: "firmware_cosigner_signature_missing", status: 403, body: async () => ({ body: form({ release: signRelease(await manifest(), [world.keys.vendor]), image }) }) },
    { name: "only the co-signer's signature", code: "firmware_release_signature_missing", status: 403, body: async () => ({ body: form({ release: signRelease(await manifest(), [world.keys.cosigner]), image }) }) },
    { name: "no signature", code: "firmware_threshold_unmet", status: 403, body: async () => ({ body: form({ release: signRelease(await manifest(), []), image }) }) },
    { name: "an image that differs", code: "firmware_image_hash_mismatch", status: 422, body: async () => ({ body: form({ release: signRelease(await manifest(), both()), image: image.map((byte) => byte ^ 1) }) }) },
    { name: "a short image", code: "firmware_image_size_mismatch", status: 422, body: async () => ({ body: form({ release: signRelease(await manifest(), both()), image: image.subarray(1) }) }) },
    {
      name: "an expired release",
      code: "firmware_expired",
      status: 422,
      body: async () => ({ body: form({ release: signRelease({ ...(await manifest()), releasedAt: Date.now() - 40 * DAY, expiresAt: Date.now() - DAY }, both()), image }) }),
    },
    {
      name: "a version already published",
      code: "firmware_version_exists",
      status: 409,
      body: async () => {
        const again = firmwareImage("1.1.0-other");
        return { body: form({ release: signRelease(await manifestFor(again, world.verifier.url, { version: "1.1.0" }, world.keys), both()), image: again }) };
      },
    },
  ];

  for (const { name, code, status, body } of posts) {
    test(`POST /v1/firmware with ${name} is ${status} ${code}`, async () => {
      const response = await fetch(`${world.verifier.url}/v1/firmware`, { method: "POST", ...(await body()) });
      const answer = (await response.json()) as { error: { code: string; message: string } };
      assert.equal(response.status, status, JSON.stringify(answer));
      assert.equal(answer.error.code, code);
      assert.ok(answer.error.message.length > 0);
    });
  }

  test("POST /v1/firmware declaring a body over the limit is 413 body_too_large, before it is read", async () => {
    const url = new URL(`${world.verifier.url}/v1/firmware`);
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "content-type": "multipart/form-data; boundary=x", "content-length": String(2 ** 30) } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on("error", reject);
      request.flushHeaders();
    });
    assert.equal(status, 413);
  });

  const gets: [string, number, string][] = [
    ["/v1/firmware/latest", 400, "bad_request"],
    ["/v1/firmware/latest?model=", 400, "bad_request"],
    [`/v1/firmware/latest?model=${"x".repeat(65)}`, 400, "bad_request"],
    [`/v1/firmware/latest?model=${encodeURIComponent(MODEL)}&keySetVersion=abc`, 400, "bad_request"],
    [`/v1/firmware/latest?model=${encodeURIComponent(MODEL)}&keySetVersion=0`, 400, "bad_request"],
    [`/v1/firmware/latest?model=${encodeURIComponent(MODEL)}&keySetVersion=-1`, 400, "bad_request"],
    [`/v1/firmware/latest?model=${encodeURIComponent(MODEL)}&keySetVersion=99999999999999999999`, 400, "bad_request"],
    ["/v1/firmware/latest?model=Nobody%20Z0", 404, "not_found"],
    ["/v1/firmware/images/xyz", 400, "bad_request"],
    [`/v1/firmware/images/${"A".repeat(64)}`, 400, "bad_request"],
    [`/v1/firmware/images/${"0".repeat(64)}`, 404, "not_found"],
    ["/v1/firmware/images/..%2F..%2Fetc%2Fpasswd", 400, "bad_request"],
    ["/v1/firmware/nothing", 404, "not_found"],
  ];
  for (const [path, status, code] of gets) {
    test(`GET ${path.slice(0, 60)} is ${status} ${code}`, async () => {
      const response = await fetch(`${world.verifier.url}${path}`);
      assert.equal(response.status, status);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, code);
    });
  }

  test("a well-formed latest request is answered with the stored release, byte for byte", async () => {
    const response = await fetch(`${world.verifier.url}/v1/firmware/latest?model=${encodeURIComponent(MODEL)}&keySetVersion=1`);
    assert.equal(response.status, 200);
    const row = (await world.verifier.services.db.execute("SELECT release FROM firmware_releases")).rows[0]!;
    assert.equal(((await response.json()) as { release: string }).release, toBase64Url(new Uint8Array(row.release as ArrayBuffer)));
  });
});

function fieldsOf(manifest: Parameters<typeof encodeManifest>[0]) {
  return Object.fromEntries(manifestMap(manifest)) as Record<string, CborValue>;
}

/** A release over hand-made manifest bytes, signed by both keys, so only the shape can be wrong. */
function rawRelease(fields: Record<string, CborValue>): Uint8Array {
  const bytes = encodeCanonical(new Map(Object.entries(fields)));
  return encodeRelease(bytes, [world.keys.vendor, world.keys.cosigner].map((key) => signManifest(key.secretKey, bytes)));
}

describe("the co-signer's route", () => {
  const dir = mkdtempSync(join(tmpdir(), "snapseal-cosigner-bad-"));
  const secretKeys = newKeyRingEntry("k1");
  let cosigner: NodeCosigner;
  let tablesBefore: string;

  const tables = async () => {
    const rows = [];
    for (const table of ["signing_key", "operators", "release_keys", "totp_steps_used"]) rows.push((await cosigner.services.db.execute(`SELECT * FROM ${table} ORDER BY rowid`)).rows.length);
    return JSON.stringify(rows);
  };

  before(async () => {
    await setUpCosigner(`file:${join(dir, "cosigner.db")}`, secretKeys, world.keys.vendor.key, ["ada"], Date.now());
    cosigner = await serveCosigner(`file:${join(dir, "cosigner.db")}`, secretKeys, 0);
    tablesBefore = await tables();
  });
  after(async () => {
    await cosigner.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const good = async () => {
    const bytes = encodeManifest(await manifestFor(firmwareImage("2.0.0"), "https://cdn.example", { version: "2.0.0", keyIds: [world.keys.vendor.key.kid, cosigner.services.signingKey.kid] }, world.keys));
    const signature = signManifest(world.keys.vendor.secretKey, bytes);
    return { manifest: toBase64Url(bytes), releaseSignature: { kid: signature.kid, sig: toBase64Url(signature.sig) }, operator: "ada", totp: "123456" };
  };
  const json = (value: unknown) => ({ headers: { "content-type": "application/json" }, body: JSON.stringify(value) });

  const cases: { name: string; code: string; status: number; init: () => Promise<RequestInit> }[] = [
    { name: "no content type", code: "unsupported_media_type", status: 415, init: async () => ({ body: "{}" }) },
    { name: "text/plain", code: "unsupported_media_type", status: 415, init: async () => ({ headers: { "content-type": "text/plain" }, body: "{}" }) },
    { name: "invalid JSON", code: "bad_request", status: 400, init: async () => ({ headers: { "content-type": "application/json" }, body: "{" }) },
    { name: "a JSON array", code: "bad_request", status: 400, init: async () => json([1, 2]) },
    { name: "null", code: "bad_request", status: 400, init: async () => json(null) },
    { name: "no manifest", code: "bad_request", status: 400, init: async () => json({ ...(await good()), manifest: undefined }) },
    { name: "a manifest that is not base64url", code: "bad_request", status: 400, init: async () => json({ ...(await good()), manifest: "***" }) },
    { name: "a manifest over the size limit", code: "bad_request", status: 400, init: async () => json({ ...(await good()), manifest: "A".repeat(20_000) }) },
    { name: "manifest bytes that are not a manifest", code: "firmware_manifest_malformed", status: 400, init: async () => json({ ...(await good()), manifest: toBase64Url(nested(5000)) }) },
    { name: "no release signature", code: "bad_request", status: 400, init: async () => json({ ...(await good()), releaseSignature: null }) },
    { name: "a release key id that is not hex", code: "bad_request", status: 400, init: async () => json({ ...(await good()), releaseSignature: { kid: "zz", sig: "AAAA" } }) },
    { name: "a signature that is a number", code: "bad_request", status: 400, init: async () => json({ ...(await good()), releaseSignature: { ...(await good()).releaseSignature, sig: 5 } }) },
    { name: "a signature of the wrong length", code: "firmware_signature_invalid", status: 403, init: async () => json({ ...(await good()), releaseSignature: { ...(await good()).releaseSignature, sig: "AAAA" } }) },
    { name: "an operator name with spaces", code: "bad_request", status: 400, init: async () => json({ ...(await good()), operator: "a b" }) },
    { name: "a numeric TOTP", code: "bad_request", status: 400, init: async () => json({ ...(await good()), totp: 123456 }) },
    { name: "a TOTP that is not six digits", code: "cosign_totp_invalid", status: 401, init: async () => json({ ...(await good()), totp: "12ab56" }) },
    { name: "a body over 64 KiB", code: "body_too_large", status: 413, init: async () => json({ ...(await good()), pad: "x".repeat(70_000) }) },
  ];

  for (const { name, code, status, init } of cases) {
    test(`POST /v1/firmware/cosign with ${name} is ${status} ${code}, logged as refused`, async () => {
      const before = (await readLog(cosigner.services.db)).length;
      const response = await fetch(`${cosigner.url}/v1/firmware/cosign`, { method: "POST", ...(await init()) });
      const answer = (await response.json()) as { error: { code: string } };
      assert.equal(response.status, status, JSON.stringify(answer));
      assert.equal(answer.error.code, code);
      const log = await readLog(cosigner.services.db);
      assert.equal(log.length, before + 1);
      assert.deepEqual([log.at(-1)!.outcome, log.at(-1)!.reason], ["refused", code]);
      assert.equal(await tables(), tablesBefore, "keys, operators and used codes are unchanged");
    });
  }

  test("unknown co-signer routes are 404 not_found", async () => {
    for (const path of ["/v1/firmware/cosign/x", "/v1/nothing"]) {
      const response = await fetch(`${cosigner.url}${path}`);
      assert.equal(response.status, 404);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, "not_found");
    }
  });
});

describe("the new commands", () => {
  const dir = mkdtempSync(join(tmpdir(), "snapseal-fw-cli-"));
  const at = (name: string) => join(dir, name);
  const env = { COSIGNER_SECRET_KEYS: newKeyRingEntry("k1") };
  let cosigner: NodeCosigner;
  let adaSecret: string;

  before(async () => {
    writeFileSync(at("image.bin"), firmwareImage("3.0.0"));
    writeFileSync(at("garbage.json"), "{ not json");
    writeFileSync(at("wrong-shape.json"), JSON.stringify({ kid: "00", alg: "RSA", publicKey: "AAAA" }));
    const vendor = newReleaseKey();
    mkdirSync(at("vendor"));
    writeFileSync(at("vendor/release-key.json"), JSON.stringify({ kid: vendor.key.kid, alg: "Ed25519", secretKey: toBase64Url(vendor.secretKey) }));
    writeFileSync(at("vendor.pub.json"), JSON.stringify(firmwareKeyToJson(vendor.key)));
    writeFileSync(at("keys.json"), JSON.stringify(keySetToJson(initialKeySet([vendor.key, newReleaseKey().key]))));
    const created = await snapseal(["cosigner", "init", "--dir", at("cosigner")], env);
    assert.equal(created.code, 0, created.stderr);
    const enrolment = await snapseal(["cosigner", "operator", "add", "--dir", at("cosigner"), "--name", "ada"], env);
    assert.equal(enrolment.code, 0);
    adaSecret = /^secret: ([A-Z2-7]+)$/m.exec(enrolment.stdout)![1]!;
    assert.equal((await snapseal(["cosigner", "key", "accept", "--dir", at("cosigner"), "--key", at("vendor.pub.json")], env)).code, 0);
    cosigner = await serveCosigner(`file:${at("cosigner/cosigner.db")}`, env.COSIGNER_SECRET_KEYS, 0);
    await manufactureCamera(world.ca, { dir: at("plain-camera"), serial: "PLAIN-1", model: MODEL, firmware: "1.0.0" });
    await saveVendorCa(world.ca, at("ca"));
  });
  after(async () => {
    await cosigner.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const release = (overrides: Record<string, string>) => {
    const flags: Record<string, string> = {
      image: at("image.bin"),
      version: "3.0.0",
      model: MODEL,
      key: at("vendor"),
      cosigner: cosigner.url,
      operator: "ada",
      totp: wrongCode(adaSecret, Date.now()),
      server: world.verifier.url,
      ...overrides,
    };
    return ["firmware", "release", ...Object.entries(flags).flatMap(([flag, value]) => (value === "" ? [] : [`--${flag}`, value]))];
  };

  const commands: { name: string; args: () => string[]; env?: Record<string, string>; exit: number; message: RegExp }[] = [
    { name: "firmware", args: () => ["firmware"], exit: 64, message: /unknown firmware command/ },
    { name: "firmware keygen", args: () => ["firmware", "keygen"], exit: 64, message: /--dir is required/ },
    { name: "firmware keygen --dir vendor (taken)", args: () => ["firmware", "keygen", "--dir", at("vendor")], exit: 70, message: /already holds a release key/ },
    { name: "firmware trust --vendor garbage.json --cosigner vendor.pub.json --out out.json", args: () => ["firmware", "trust", "--vendor", at("garbage.json"), "--cosigner", at("vendor.pub.json"), "--out", at("out.json")], exit: 64, message: /not a firmware public key file/ },
    { name: "firmware trust --vendor wrong-shape.json --cosigner vendor.pub.json --out out.json", args: () => ["firmware", "trust", "--vendor", at("wrong-shape.json"), "--cosigner", at("vendor.pub.json"), "--out", at("out.json")], exit: 64, message: /not a firmware public key file/ },
    { name: "firmware trust --vendor vendor.pub.json --cosigner vendor.pub.json --out out.json", args: () => ["firmware", "trust", "--vendor", at("vendor.pub.json"), "--cosigner", at("vendor.pub.json"), "--out", at("out.json")], exit: 64, message: /the same key/ },
    { name: "firmware release", args: () => ["firmware", "release"], exit: 64, message: /--version is required/ },
    { name: "firmware release --version 1.x", args: () => release({ version: "1.x" }), exit: 64, message: /MAJOR\.MINOR\.PATCH/ },
    { name: "firmware release --min-version latest", args: () => release({ "min-version": "latest" }), exit: 64, message: /--min-version must be MAJOR\.MINOR\.PATCH/ },
    { name: "firmware release --image missing.bin", args: () => release({ image: at("missing.bin") }), exit: 64, message: /cannot read --image/ },
    { name: "firmware release --cosigner ftp://example.org", args: () => release({ cosigner: "ftp://example.org" }), exit: 64, message: /--cosigner must be an http\(s\) URL/ },
    { name: "firmware release --expires-days 0", args: () => release({ "expires-days": "0" }), exit: 64, message: /--expires-days must be a positive integer/ },
    { name: "firmware release --key nowhere", args: () => release({ key: at("nowhere") }), exit: 70, message: /cannot read the release key/ },
    { name: "firmware release --new-key vendor", args: () => release({ "new-key": at("vendor") }), exit: 64, message: /--key-set/ },
    { name: "firmware release --key-set garbage.json", args: () => release({ "key-set": at("garbage.json") }), exit: 64, message: /not a firmware key set/ },
    { name: "firmware release (wrong TOTP)", args: () => release({}), exit: 65, message: /co-signer answered 401 cosign_totp_invalid/ },
    { name: "firmware release --cosigner http://127.0.0.1:9", args: () => release({ cosigner: "http://127.0.0.1:9" }), exit: 69, message: /cannot reach the co-signer/ },
    { name: "device update", args: () => ["device", "update"], exit: 64, message: /--dir is required/ },
    { name: "device update --dir no-camera", args: () => ["device", "update", "--dir", at("no-camera")], exit: 70, message: /holds no camera/ },
    { name: "device update --dir plain-camera --server URL", args: () => ["device", "update", "--dir", at("plain-camera"), "--server", world.verifier.url], exit: 70, message: /holds no firmware keys/ },
    { name: "device update --dir plain-camera --server not a url", args: () => ["device", "update", "--dir", at("plain-camera"), "--server", "not a url"], exit: 64, message: /--server must be an http\(s\) URL/ },
    { name: "device update --dir plain-camera with SNAPSEAL_CRASH_AT=whenever", args: () => ["device", "update", "--dir", at("plain-camera")], env: { SNAPSEAL_CRASH_AT: "whenever" }, exit: 64, message: /SNAPSEAL_CRASH_AT must be one of/ },
    { name: "device firmware", args: () => ["device", "firmware"], exit: 64, message: /--dir is required/ },
    { name: "device manufacture --firmware-keys garbage.json", args: () => ["device", "manufacture", "--dir", at("new-camera"), "--ca", at("ca"), "--serial", "S", "--model", MODEL, "--firmware-keys", at("garbage.json")], exit: 64, message: /not a firmware key set/ },
    { name: "device manufacture --firmware beta --firmware-keys keys.json", args: () => ["device", "manufacture", "--dir", at("new-camera"), "--ca", at("ca"), "--serial", "S", "--model", MODEL, "--firmware", "beta", "--firmware-keys", at("keys.json")], exit: 70, message: /needs a MAJOR\.MINOR\.PATCH firmware version/ },
    { name: "cosigner", args: () => ["cosigner"], exit: 64, message: /unknown cosigner command/ },
    { name: "cosigner init --dir other without COSIGNER_SECRET_KEYS", args: () => ["cosigner", "init", "--dir", at("other")], env: { COSIGNER_SECRET_KEYS: "" }, exit: 64, message: /COSIGNER_SECRET_KEYS is not set/ },
    { name: "cosigner init --dir cosigner (taken)", args: () => ["cosigner", "init", "--dir", at("cosigner")], exit: 64, message: /already holds a co-signer/ },
    { name: "cosigner operator add --dir cosigner --name a b", args: () => ["cosigner", "operator", "add", "--dir", at("cosigner"), "--name", "a b"], exit: 64, message: /--name must be/ },
    { name: "cosigner operator add --dir cosigner --name ada (taken)", args: () => ["cosigner", "operator", "add", "--dir", at("cosigner"), "--name", "ada"], exit: 64, message: /exists already/ },
    { name: "cosigner operator add --dir nowhere --name bob", args: () => ["cosigner", "operator", "add", "--dir", at("nowhere"), "--name", "bob"], exit: 64, message: /holds no co-signer/ },
    { name: "cosigner operator add --dir cosigner --name bob with another COSIGNER_SECRET_KEYS", args: () => ["cosigner", "operator", "add", "--dir", at("cosigner"), "--name", "bob"], env: { COSIGNER_SECRET_KEYS: newKeyRingEntry("k1") }, exit: 70, message: /not the key this database was sealed with/ },
    { name: "cosigner operator remove --dir cosigner", args: () => ["cosigner", "operator", "remove", "--dir", at("cosigner")], exit: 64, message: /unknown cosigner operator command/ },
    { name: "cosigner key accept --dir cosigner --key garbage.json", args: () => ["cosigner", "key", "accept", "--dir", at("cosigner"), "--key", at("garbage.json")], exit: 64, message: /not a firmware public key file/ },
    { name: "cosigner key revoke --dir cosigner --kid abc", args: () => ["cosigner", "key", "revoke", "--dir", at("cosigner"), "--kid", "abc"], exit: 64, message: /64-character lowercase hex/ },
    { name: "cosigner key revoke --dir cosigner --kid 000…000 (unknown)", args: () => ["cosigner", "key", "revoke", "--dir", at("cosigner"), "--kid", "0".repeat(64)], exit: 64, message: /no accepted, unrevoked release key/ },
    { name: "cosigner serve --dir cosigner --port 99999", args: () => ["cosigner", "serve", "--dir", at("cosigner"), "--port", "99999"], exit: 64, message: /--port must be/ },
    { name: "cosigner serve --dir nowhere", args: () => ["cosigner", "serve", "--dir", at("nowhere")], exit: 64, message: /holds no co-signer/ },
    { name: "cosigner log --dir nowhere", args: () => ["cosigner", "log", "--dir", at("nowhere")], exit: 64, message: /holds no co-signer/ },
  ];

  for (const { name, args, env: extra, exit, message } of commands) {
    test(`snapseal ${name} exits ${exit} with a message`, { timeout: 60_000 }, async () => {
      const result = await snapseal(args(), { ...env, ...extra });
      assert.equal(result.code, exit, `${result.stdout}${result.stderr}`);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /^snapseal: /);
      assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
    });
  }

  test("a refused release publishes nothing", async () => {
    const rows = (await world.verifier.services.db.execute("SELECT version FROM firmware_releases WHERE version = '3.0.0'")).rows;
    assert.equal(rows.length, 0);
  });
});
