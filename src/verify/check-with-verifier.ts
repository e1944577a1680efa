import { bytesEqual, fromBase64Url, toBase64Url, toHex } from "../bytes.ts";
import { importP256PublicKey } from "../crypto/es256.ts";
import { VerifierHttpError, callVerifier } from "../http/verifier-client.ts";
import { extractRecord, extractRecordFromHead } from "../jpeg/exif-record.ts";
import { captureIdFor, decodeRecord, recordHash } from "../record/capture-record.ts";
import { decodeCoseP256 } from "../webauthn/cose-key.ts";
import { type ExifDisagreement, exifDisagreements } from "./exif-disagreements.ts";
import { type CaptureReport, reportOf } from "./report.ts";
import { type RegisteredCredential, type VerificationContext, verifyCapture, verifyRecord } from "./verify-capture.ts";

/** GET /v1/credentials/:id/status, as docs/api.md gives it. */
export interface CredentialStatus {
  credentialId: string;
  registeredAt: string;
  revokedAt: string | null;
  status: "valid" | "pending_approval" | "refused" | "revoked" | "stolen";
  approvalPending?: boolean;
  reportedStolenAt?: string | null;
  owner?: { displayName: string } | null;
  flagged: boolean;
  flagReason: string | null;
  rpId: string;
  origin: string;
  publicKey: string;
  device: { serial: string; model: string | null };
  attestation: { issuer: string; certificate: string };
}

/** GET /v1/captures/:id: the receipt of a synced capture. */
export interface RecordedCapture {
  id: string;
  capturedAt: string;
  receivedAt: string;
  anchoredAfter: string | null;
  counter: number;
  chain: { position: number; gapBefore: boolean; gapAfter: boolean | null; previousId: string | null; nextId: string | null };
  device: { serial: string; model: string; firmware: string };
  owner: { displayName: string } | null;
  revocation: { revokedAt: string; reportedStolenAt: string | null; sealedBeforeRevocation: boolean } | null;
  /** The stored capture record, base64url. */
  record: string;
}

interface CredentialWithStatus extends RegisteredCredential {
  status: CredentialStatus;
}

export interface RemoteVerdict extends CaptureReport {
  exifDisagreements: ExifDisagreement[];
  device:
    | (CredentialStatus["device"] & {
        flagged: boolean;
        status: CredentialStatus["status"];
        revokedAt: string | null;
        reportedStolenAt: string | null;
        attestedBy: string;
        attestationCertificate: string;
      })
    | null;
  recorded: (Omit<RecordedCapture, "record" | "owner" | "revocation" | "id"> & { captureId: string; chainGapBefore: boolean }) | null;
  /**
   * Who answers for the camera, only once its signature verified: for a
   * recorded capture the owner at capture time, else the camera's owner now.
   */
  owner: { displayName: string | null; as: "at_capture" | "now" } | null;
}

export interface VerifierLookup {
  /** The verifier's address; "" in a page it served, whose own origin answers. */
  server: string;
  /** The runtime's picture decoder (sharp under Node, the browser's own decoder in a page). */
  fingerprint?: (jpeg: Uint8Array) => Promise<Uint8Array>;
}

/**
 * A photo, or a recorded capture's record on its own (a permalink), which
 * cannot vouch for any pixels. A photo still being read may come with its first
 * bytes (`head`), from which the lookup starts while the rest arrives.
 */
export type Checked = { jpeg: Uint8Array | Promise<Uint8Array>; head?: Uint8Array } | { record: Uint8Array };

/**
 * Verifies a photo where it is, with the same core the verifier runs; the
 * verifier is asked only for the credential's public record and the capture's
 * receipt, so the photo itself never leaves the machine (the CLI, the check page).
 */
export async function checkWithVerifier(checked: Checked, lookup: VerifierLookup): Promise<RemoteVerdict> {
  const base = lookup.server.replace(/\/+$/, "");
  const statusUrl = (credentialId: Uint8Array) => `${base}/v1/credentials/${toBase64Url(credentialId)}/status`;
  // A browser's round trip costs more than all the hashing, so the credential's
  // status and the capture's receipt come in one answer, asked for before
  // verification starts, from the record as far as it parses.
  const early = await peekRecord("jpeg" in checked ? (checked.head ? { head: checked.head } : { jpeg: await checked.jpeg }) : checked);
  const combined = early
    ? getOrNull<CredentialStatus & { capture: RecordedCapture | null }>(`${statusUrl(early.credentialId)}?capture=${captureIdFor(early.recordHash)}`)
    : null;
  // Verification may stop before it asks; a failed lookup then must not go unhandled.
  combined?.catch(() => {});
  if (early) anchorKeys(base).catch(() => {});
  let receipt: RecordedCapture | null = null;
  let askedForReceipt = false;
  const lookupReceipt = async (recordHash: Uint8Array) => {
    askedForReceipt = true;
    receipt =
      early && bytesEqual(recordHash, early.recordHash)
        ? ((await combined)?.capture ?? null)
        : await getOrNull<RecordedCapture>(`${base}/v1/captures/${captureIdFor(recordHash)}`);
    return receipt;
  };
  const context: VerificationContext<CredentialWithStatus> = {
    findCredential: async (credentialId) => {
      const status = early && bytesEqual(credentialId, early.credentialId) ? await combined : await getOrNull<CredentialStatus>(statusUrl(credentialId));
      if (!status) return null;
      return {
        credentialId,
        publicKey: decodeCoseP256(fromBase64Url(status.publicKey)),
        rpId: status.rpId,
        origin: status.origin,
        serial: status.device.serial,
        revokedAt: status.revokedAt === null ? null : Date.parse(status.revokedAt),
        approvalPending: status.approvalPending === true,
        status,
      };
    },
    receivedAt: async (recordHash) => {
      const found = await lookupReceipt(recordHash);
      return found ? Date.parse(found.receivedAt) : Date.now();
    },
    anchorKey: async (kid) => (await anchorKeys(base)).get(toHex(kid)) ?? null,
    ...(lookup.fingerprint ? { fingerprint: lookup.fingerprint } : {}),
  };
  let jpeg: Uint8Array | null = null;
  const result = "jpeg" in checked ? await verifyCapture((jpeg = await checked.jpeg), context) : await verifyRecord(checked.record, context);
  if (result.evidence.recordHash && !askedForReceipt) await lookupReceipt(result.evidence.recordHash);
  // Reassigned inside the callbacks above; the annotation keeps TypeScript from narrowing it to null.
  const recorded = receipt as RecordedCapture | null;
  const status = result.evidence.credential?.status;
  const owner: RemoteVerdict["owner"] = !result.passed.includes("signature")
    ? null
    : recorded
      ? { displayName: recorded.owner?.displayName ?? null, as: "at_capture" }
      : { displayName: status?.owner?.displayName ?? null, as: "now" };
  return {
    ...reportOf(result),
    exifDisagreements: jpeg && result.evidence.payload ? exifDisagreements(jpeg, result.evidence.payload) : [],
    device: status
      ? {
          ...status.device,
          flagged: status.flagged,
          status: status.status,
          revokedAt: status.revokedAt,
          reportedStolenAt: status.reportedStolenAt ?? null,
          attestedBy: status.attestation.issuer,
          attestationCertificate: status.attestation.certificate,
        }
      : null,
    recorded: recorded
      ? {
          captureId: recorded.id,
          capturedAt: recorded.capturedAt,
          receivedAt: recorded.receivedAt,
          anchoredAfter: recorded.anchoredAfter,
          counter: recorded.counter,
          chain: recorded.chain,
          chainGapBefore: recorded.chain.gapBefore,
          device: recorded.device,
        }
      : null,
    owner,
  };
}

/** The record's credential and hash, if it parses; verification proper says why when it does not. */
async function peekRecord(
  source: { jpeg: Uint8Array } | { head: Uint8Array } | { record: Uint8Array },
): Promise<{ credentialId: Uint8Array; recordHash: Uint8Array } | null> {
  try {
    const encoded = "jpeg" in source ? extractRecord(source.jpeg) : "head" in source ? extractRecordFromHead(source.head) : source.record;
    if (!encoded) return null;
    return { credentialId: decodeRecord(encoded).credentialId, recordHash: await recordHash(encoded) };
  } catch {
    return null;
  }
}

/** A lookup is a few kilobytes: a verifier that has not answered by then is not going to, and the page must say so. */
const LOOKUP_TIMEOUT_MS = 20_000;

const anchorKeysByServer = new Map<string, Promise<Map<string, CryptoKey>>>();

/** The verifier's time-anchor public keys, fetched once per server. */
function anchorKeys(base: string): Promise<Map<string, CryptoKey>> {
  let keys = anchorKeysByServer.get(base);
  if (!keys) {
    keys = callVerifier<{ keys: { kid: string; publicKey: string }[] }>(`${base}/v1/time`, { signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS) }).then(async ({ keys: listed }) => {
      const imported = new Map<string, CryptoKey>();
      for (const { kid, publicKey } of listed) imported.set(kid, await importP256PublicKey(fromBase64Url(publicKey)));
      return imported;
    });
    // A failed fetch is not remembered: the next check asks again.
    keys.catch(() => anchorKeysByServer.delete(base));
    anchorKeysByServer.set(base, keys);
  }
  return keys;
}

export async function getOrNull<T>(url: string): Promise<T | null> {
  try {
    return await callVerifier<T>(url, { signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS) });
  } catch (error) {
    if (error instanceof VerifierHttpError && error.status === 404) return null;
    throw error;
  }
}
