import type { RemoteVerdict } from "../../src/verify/check-with-verifier.ts";

export type Tone = "ok" | "bad" | "warn" | "plain";

/** What the page says at a glance: the verdict word, its tone, and the reason in plain words. */
export interface Headline {
  /** The machine-readable verdict (the page's `data-verdict`), or bad_input for a file that is not a checkable photo. */
  verdict: RemoteVerdict["verdict"] | "bad_input";
  tone: Tone;
  icon: string;
  title: string;
  reason: string;
}

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

/** Why a record was refused, for each code a visitor can meet; the code itself is in the technical view. */
function refusal(verdict: RemoteVerdict): string {
  const failure = verdict.failure!;
  const device = verdict.device;
  switch (failure.code) {
    case "credential_revoked": {
      const at = device?.reportedStolenAt ?? device?.revokedAt;
      const how = device?.reportedStolenAt ? "reported stolen" : "revoked by its owner";
      return `The camera was ${how}${at ? ` on ${when(at)}` : ""}, and this photo was sealed or synced after that, so its seal no longer counts.`;
    }
    case "credential_pending_approval":
      return "The camera was factory-reset and registered again, and its owner has not approved that yet: nothing it seals counts until then.";
    case "record_transplanted":
      return "The capture record is genuine, but it was sealed for a different picture and copied into this one.";
    case "signature_invalid":
      return "The signature does not verify with the camera's registered key: the record was forged or changed after sealing.";
    case "challenge_mismatch":
    case "counter_mismatch":
    case "device_mismatch":
    case "rp_id_mismatch":
    case "origin_mismatch":
    case "client_data_type_mismatch":
      return `The parts of the capture record do not belong together (${failure.code.replaceAll("_", " ")}): it was assembled or edited by hand.`;
    case "anchor_invalid":
      return "The record cites a server time that this verifier never signed.";
    case "capture_before_anchor":
      return "The camera's clock puts the capture before a server time the camera had already seen: the capture time is false.";
    case "image_malformed":
    case "image_too_large":
      return `This JPEG cannot be read: ${failure.message}`;
    default:
      return failure.message;
  }
}

export function headlineOf(verdict: RemoteVerdict, checkedPixels: boolean): Headline {
  const flagged = verdict.device?.flagged === true;
  switch (verdict.verdict) {
    case "authentic":
      if (!checkedPixels) {
        return {
          verdict: "authentic",
          tone: "plain",
          icon: "✓",
          title: "Genuine record",
          reason: "This capture was recorded by the verifier, and its signature verifies in this page. Pick the photo itself to check its pixels against it.",
        };
      }
      if (flagged) {
        return {
          verdict: "authentic",
          tone: "warn",
          icon: "!",
          title: "Signature valid, camera flagged",
          reason: "Every check passed, but this camera's counter once went backwards: its key may have been cloned. Treat its photos with care.",
        };
      }
      if (verdict.payload?.source === "import") {
        return {
          verdict: "authentic",
          tone: "plain",
          icon: "✓",
          title: "Authentic import",
          reason: "A registered camera sealed this file unchanged, but the file was handed to it: the camera did not capture it.",
        };
      }
      return {
        verdict: "authentic",
        tone: "ok",
        icon: "✓",
        title: "Authentic",
        reason: "Sealed by a registered camera when it was taken; the pixels have not changed since.",
      };
    case "altered":
      return {
        verdict: "altered",
        tone: "bad",
        icon: "✗",
        title: "Altered",
        reason: "The capture record is genuine, but the picture was changed after the camera sealed it.",
      };
    case "unknown_device":
      return {
        verdict: "unknown_device",
        tone: "warn",
        icon: "?",
        title: "Unknown device",
        reason: "The photo carries a capture record, but no camera registered with this verifier holds the key that signed it.",
      };
    case "no_record":
      return {
        verdict: "no_record",
        tone: "plain",
        icon: "–",
        title: "No record",
        reason: "This photo carries no SnapSeal capture record: it was never sealed, or its metadata was stripped. That alone says nothing about whether it is genuine.",
      };
    case "invalid":
      if (verdict.failure?.step === "parse" && (verdict.failure.code === "image_malformed" || verdict.failure.code === "image_too_large")) {
        return { verdict: "bad_input", tone: "plain", icon: "!", title: "Cannot check this file", reason: refusal(verdict) };
      }
      return { verdict: "invalid", tone: "bad", icon: "✗", title: "Refused", reason: refusal(verdict) };
  }
}

export function badInput(problem: string): Headline {
  return { verdict: "bad_input", tone: "plain", icon: "!", title: "Cannot check this file", reason: problem };
}
