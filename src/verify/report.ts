import { fromUtf8, toBase64Url, toHex } from "../bytes.ts";
import type { ErrorCode } from "../errors.ts";
import { captureIdFor } from "../record/capture-record.ts";
import { Flags } from "../webauthn/authenticator-data.ts";
import type { CaptureEvidence, CaptureVerification, RegisteredCredential, VerificationStep } from "./verify-capture.ts";

/**
 * The answer a person gets. Only a capture that passed every check is
 * "authentic"; "altered" means a genuine record whose picture changed.
 */
export type Verdict = "authentic" | "altered" | "unknown_device" | "no_record" | "invalid";

export function verdictOf<C extends RegisteredCredential>(result: CaptureVerification<C>): Verdict {
  if (result.ok) return "authentic";
  switch (result.error.code) {
    case "record_missing":
      return "no_record";
    case "credential_unknown":
      return "unknown_device";
    case "content_altered":
      return "altered";
    default:
      return "invalid";
  }
}

export interface CaptureReport {
  verdict: Verdict;
  passed: VerificationStep[];
  failure?: { step: VerificationStep; code: ErrorCode; message: string };
  captureId?: string;
  recordHash?: string;
  payload?: {
    source: string;
    capturedAt: string;
    counter: number;
    nonce: string;
    prev: string;
    contentHash: string;
    fingerprint: string;
    anchor?: { t: string; kid: string };
    meta: Record<string, unknown>;
  };
  presentedContentHash?: string;
  webauthn?: {
    credentialId: string;
    authenticatorData: { hex: string; rpIdHash: string; flags: Record<keyof typeof Flags, boolean>; signCount: number } | null;
    clientDataJSON: string;
    signature: string;
  };
}

/** A JSON-ready description of a verification, for the API, the CLI's --json and the check page. */
export function reportOf<C extends RegisteredCredential>(result: CaptureVerification<C>): CaptureReport {
  const evidence: CaptureEvidence<C> = result.evidence;
  const report: CaptureReport = { verdict: verdictOf(result), passed: result.passed };
  if (!result.ok) report.failure = { step: result.failedStep, code: result.error.code, message: result.error.message };
  if (evidence.recordHash) {
    report.recordHash = toHex(evidence.recordHash);
    report.captureId = captureIdFor(evidence.recordHash);
  }
  const { payload, record, authenticatorData } = evidence;
  if (payload) {
    report.payload = {
      source: payload.source,
      capturedAt: new Date(payload.capturedAt).toISOString(),
      counter: payload.counter,
      nonce: toHex(payload.nonce),
      prev: toHex(payload.prev),
      contentHash: toHex(payload.contentHash),
      fingerprint: toHex(payload.fingerprint),
      ...(payload.anchor ? { anchor: { t: new Date(payload.anchor.t).toISOString(), kid: toHex(payload.anchor.kid) } } : {}),
      meta: { ...payload.meta },
    };
  }
  if (evidence.presentedContentHash) report.presentedContentHash = toHex(evidence.presentedContentHash);
  if (record) {
    let clientDataJSON: string;
    try {
      clientDataJSON = fromUtf8(record.clientDataJSON);
    } catch {
      clientDataJSON = toHex(record.clientDataJSON);
    }
    report.webauthn = {
      credentialId: toBase64Url(record.credentialId),
      authenticatorData: authenticatorData
        ? {
            hex: toHex(record.authenticatorData),
            rpIdHash: toHex(authenticatorData.rpIdHash),
            flags: Object.fromEntries(Object.entries(Flags).map(([name, bit]) => [name, (authenticatorData.flags & bit) !== 0])) as Record<
              keyof typeof Flags,
              boolean
            >,
            signCount: authenticatorData.signCount,
          }
        : null,
      clientDataJSON,
      signature: toHex(record.signature),
    };
  }
  return report;
}
