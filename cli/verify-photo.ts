import { readFile } from "node:fs/promises";
import { fingerprintJpeg } from "../edge/sharp-fingerprint.ts";
import "../edge/node-sha256.ts";
import "../edge/node-es256.ts";
import { fromBase64Url, toBase64Url, toHex } from "../src/bytes.ts";
import { importP256PublicKey } from "../src/crypto/es256.ts";
import { captureIdFor } from "../src/record/capture-record.ts";
import { type ExifDisagreement, exifDisagreements } from "../src/verify/exif-disagreements.ts";
import { type CaptureReport, type Verdict, reportOf } from "../src/verify/report.ts";
import { type RegisteredCredential, verifyCapture } from "../src/verify/verify-capture.ts";
import { decodeCoseP256 } from "../src/webauthn/cose-key.ts";
import { VerifierHttpError, callVerifier } from "../device/verifier-client.ts";

interface CredentialStatus {
  credentialId: string;
  registeredAt: string;
  revokedAt: string | null;
  approvalPending?: boolean;
  reportedStolenAt?: string | null;
  owner?: { displayName: string } | null;
  flagged: boolean;
  flagReason: string | null;
  rpId: string;
  origin: string;
  publicKey: string;
  device: { serial: string; model: string | null };
  attestation: { issuer: string };
}

interface CredentialWithStatus extends RegisteredCredential {
  status: CredentialStatus;
}

export interface PhotoVerdict extends CaptureReport {
  file: string;
  exifDisagreements: ExifDisagreement[];
  device: (CredentialStatus["device"] & { flagged: boolean; revokedAt: string | null; reportedStolenAt: string | null; attestedBy: string }) | null;
  recorded: { captureId: string; receivedAt: string; chainGapBefore: boolean } | null;
  /**
   * Who answers for the camera, only once its signature verified: for a
   * recorded capture the owner at capture time, else the camera's owner now.
   */
  owner: { displayName: string | null; as: "at_capture" | "now" } | null;
}

/** Exit codes of `snapseal verify`, one per verdict (docs/operations.md). */
export const exitCodeOf: Record<Verdict, number> = { authentic: 0, altered: 1, unknown_device: 2, no_record: 3, invalid: 4 };

/**
 * Verifies a photo on this machine with the same core the verifier runs; the
 * server is asked only for the credential's public record and the receipt, so
 * the photo itself never leaves the machine.
 */
export async function verifyPhotoFile(file: string, server: string): Promise<PhotoVerdict> {
  const base = server.replace(/\/+$/, "");
  const jpeg = new Uint8Array(await readFile(file));
  let recorded: PhotoVerdict["recorded"] = null;
  // Assigned inside the lookup callback; the cast keeps TypeScript from narrowing it to null.
  let ownerAtCapture = null as { displayName: string } | null;
  const lookupReceipt = async (recordHash: Uint8Array) => {
    const captureId = captureIdFor(recordHash);
    const capture = await getOrNull<{ receivedAt: string; chain: { gapBefore: boolean }; owner: { displayName: string } | null }>(`${base}/v1/captures/${captureId}`);
    recorded = capture ? { captureId, receivedAt: capture.receivedAt, chainGapBefore: capture.chain.gapBefore } : null;
    ownerAtCapture = capture?.owner ?? null;
    return recorded;
  };
  const result = await verifyCapture<CredentialWithStatus>(jpeg, {
    findCredential: async (credentialId) => {
      const status = await getOrNull<CredentialStatus>(`${base}/v1/credentials/${toBase64Url(credentialId)}/status`);
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
      const receipt = await lookupReceipt(recordHash);
      return receipt ? Date.parse(receipt.receivedAt) : Date.now();
    },
    anchorKey: async (kid) => (await anchorKeys(base)).get(toHex(kid)) ?? null,
    fingerprint: fingerprintJpeg,
  });
  if (result.evidence.recordHash && recorded === null) await lookupReceipt(result.evidence.recordHash);
  const status = result.evidence.credential?.status;
  const currentOwner = status?.owner ?? null;
  const owner: PhotoVerdict["owner"] = !result.passed.includes("signature")
    ? null
    : recorded
      ? { displayName: ownerAtCapture?.displayName ?? null, as: "at_capture" }
      : { displayName: currentOwner?.displayName ?? null, as: "now" };
  return {
    file,
    ...reportOf(result),
    exifDisagreements: result.evidence.payload ? exifDisagreements(jpeg, result.evidence.payload) : [],
    device: status
      ? { ...status.device, flagged: status.flagged, revokedAt: status.revokedAt, reportedStolenAt: status.reportedStolenAt ?? null, attestedBy: status.attestation.issuer }
      : null,
    recorded,
    owner,
  };
}

const anchorKeysByServer = new Map<string, Promise<Map<string, CryptoKey>>>();

/** The verifier's time-anchor public keys, fetched once per server. */
function anchorKeys(base: string): Promise<Map<string, CryptoKey>> {
  let keys = anchorKeysByServer.get(base);
  if (!keys) {
    keys = callVerifier<{ keys: { kid: string; publicKey: string }[] }>(`${base}/v1/time`).then(async ({ keys: listed }) => {
      const imported = new Map<string, CryptoKey>();
      for (const { kid, publicKey } of listed) imported.set(kid, await importP256PublicKey(fromBase64Url(publicKey)));
      return imported;
    });
    anchorKeysByServer.set(base, keys);
  }
  return keys;
}

async function getOrNull<T>(url: string): Promise<T | null> {
  try {
    return await callVerifier<T>(url);
  } catch (error) {
    if (error instanceof VerifierHttpError && error.status === 404) return null;
    throw error;
  }
}

export function describeVerdict(verdict: PhotoVerdict): string {
  const lines: string[] = [];
  const headline: Record<Verdict, string> = {
    authentic: "AUTHENTIC: sealed by a registered camera, pixels unchanged since capture",
    altered: "ALTERED: a genuine capture record, but the picture changed after sealing",
    unknown_device: "UNKNOWN DEVICE: the record names a credential this verifier has never registered",
    no_record: "NO RECORD: this photo carries no SnapSeal capture record",
    invalid: "REFUSED: the capture record does not verify",
  };
  // Only sensor captures may be called captured by the camera: an imported file was merely sealed by it.
  const imported = verdict.verdict === "authentic" && verdict.payload?.source === "import";
  lines.push(`${verdict.file}: ${imported ? "AUTHENTIC IMPORT: a file handed to a registered camera and sealed by it, unchanged since; not captured by it" : headline[verdict.verdict]}`);
  if (verdict.failure && verdict.verdict !== "no_record") lines.push(`  reason:    ${verdict.failure.code}: ${verdict.failure.message}`);
  if (verdict.device) {
    lines.push(`  device:    ${verdict.device.model ?? "unknown model"}, serial ${verdict.device.serial} (attested by ${verdict.device.attestedBy})`);
    if (verdict.device.reportedStolenAt) lines.push(`  stolen:    reported stolen at ${verdict.device.reportedStolenAt}`);
    if (verdict.device.revokedAt) lines.push(`  revoked:   ${verdict.device.revokedAt}`);
    if (verdict.device.flagged) lines.push("  warning:   this credential is flagged as possibly cloned");
  }
  if (verdict.owner) {
    const { displayName, as } = verdict.owner;
    lines.push(
      as === "at_capture"
        ? `  owner:     ${displayName === null ? "not paired with an owner when this photo was taken" : `${displayName} (when this photo was taken)`}`
        : `  owner:     ${displayName === null ? "not paired with an owner" : `${displayName} (owns the camera now; this photo is not recorded yet)`}`,
    );
  }
  const payload = verdict.payload;
  if (payload) {
    lines.push(`  captured:  ${payload.capturedAt} by the camera clock${payload.anchor ? `, not before ${payload.anchor.t} (server anchor)` : ""}`);
    lines.push(`  source:    ${payload.source === "sensor" ? "camera sensor" : "imported file (not captured by this camera)"}`);
    lines.push(`  firmware:  ${String(payload.meta.firmware)}; counter ${payload.counter}`);
  }
  for (const { field, visible, signed } of verdict.exifDisagreements) {
    lines.push(`  exif:      visible ${field} "${visible}" ${signed === null ? "was never signed by the camera" : `differs from the signed "${signed}"`}`);
  }
  if (verdict.recorded) {
    lines.push(`  recorded:  ${verdict.recorded.receivedAt} as capture ${verdict.recorded.captureId}${verdict.recorded.chainGapBefore ? " (gap in the chain before it)" : ""}`);
  } else if (verdict.verdict !== "no_record") {
    lines.push("  recorded:  not yet synced to this verifier");
  }
  return lines.join("\n");
}

