import { readFile } from "node:fs/promises";
import { fingerprintJpeg } from "../edge/sharp-fingerprint.ts";
import "../edge/node-sha256.ts";
import "../edge/node-es256.ts";
import { type RemoteVerdict, checkWithVerifier } from "../src/verify/check-with-verifier.ts";
import type { Verdict } from "../src/verify/report.ts";

export interface PhotoVerdict extends RemoteVerdict {
  file: string;
}

/** Exit codes of `snapseal verify`, one per verdict (docs/operations.md). */
export const exitCodeOf: Record<Verdict, number> = { authentic: 0, altered: 1, unknown_device: 2, no_record: 3, invalid: 4 };

/** Verifies a photo file on this machine; only the credential's public record and the receipt are fetched. */
export async function verifyPhotoFile(file: string, server: string): Promise<PhotoVerdict> {
  const jpeg = new Uint8Array(await readFile(file));
  return { file, ...(await checkWithVerifier({ jpeg }, { server, fingerprint: fingerprintJpeg })) };
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

