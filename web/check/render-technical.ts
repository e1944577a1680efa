import type { RemoteVerdict } from "../../src/verify/check-with-verifier.ts";
import type { VerificationStep } from "../../src/verify/verify-capture.ts";
import { h } from "../shared/dom.ts";

const STEPS: [VerificationStep, string][] = [
  ["parse", "The record is present and well-formed (strict CBOR)"],
  ["credential", "Its credential is registered, and was not revoked when it was sealed and synced"],
  ["binding", "The assertion is bound to this payload, relying party, origin, flags, camera and counter"],
  ["signature", "The ES256 signature verifies with the camera's registered key"],
  ["content", "The image data hashes to the signed content hash"],
  ["time", "The capture time agrees with the verifier-signed time anchor"],
];

const FLAG_MEANINGS: Record<string, string> = {
  UP: "user present",
  UV: "user verified",
  BE: "backup eligible",
  BS: "backed up",
  AT: "attested credential data",
  ED: "extension data",
};

/** Every field, as the third seed's portal laid them out, for a reader who wants to check the checker. */
export function technicalView(verdict: RemoteVerdict): HTMLElement {
  const body = h("div", {}, checksList(verdict));
  const { webauthn, payload } = verdict;
  if (webauthn) {
    const data = webauthn.authenticatorData;
    body.append(h("h3", {}, "authenticatorData"));
    if (data) {
      body.append(
        h(
          "dl",
          { class: "facts" },
          h("dt", {}, "bytes"),
          h("dd", { class: "mono" }, data.hex),
          h("dt", {}, "rpIdHash"),
          h("dd", { class: "mono" }, data.rpIdHash),
          h("dt", {}, "flags"),
          h(
            "dd",
            {},
            h(
              "ul",
              { class: "flags", id: "flags" },
              ...Object.entries(data.flags).map(([name, set]) =>
                h("li", { "data-set": String(set), title: FLAG_MEANINGS[name] ?? name }, `${name}=${set ? 1 : 0}`),
              ),
            ),
            h("p", { class: "muted" }, "UP=0 and UV=0: nobody touched or unlocked the camera; it signed on its own at the moment of capture."),
          ),
          h("dt", {}, "signCount"),
          h("dd", { id: "sign-count" }, String(data.signCount)),
        ),
      );
    } else {
      body.append(h("p", { class: "muted" }, "Malformed: see the reason above."));
    }
    body.append(h("h3", {}, "clientDataJSON"), h("pre", { class: "json", id: "client-data" }, prettyJson(webauthn.clientDataJSON)));
    body.append(
      h("h3", {}, "Signature"),
      h("p", { class: "muted" }, "ES256 (ECDSA over P-256 with SHA-256), DER-encoded, over authenticatorData ‖ SHA-256(clientDataJSON)."),
      h("p", { class: "mono" }, webauthn.signature),
      h("h3", {}, "Credential"),
      h("p", { class: "mono" }, webauthn.credentialId),
    );
  }
  if (payload) {
    body.append(
      h("h3", {}, "Signed payload"),
      h("p", { class: "muted" }, "The challenge above is SHA-256 of this payload's deterministic CBOR."),
      h("pre", { class: "json" }, JSON.stringify(payload, null, 2)),
    );
    const hashes = h("dl", { class: "facts" });
    if (verdict.recordHash) hashes.append(h("dt", {}, "record hash"), h("dd", { class: "mono" }, verdict.recordHash));
    if (verdict.captureId) hashes.append(h("dt", {}, "capture id"), h("dd", { class: "mono" }, verdict.captureId));
    hashes.append(h("dt", {}, "signed content hash"), h("dd", { class: "mono" }, payload.contentHash));
    if (verdict.presentedContentHash) hashes.append(h("dt", {}, "this file's content hash"), h("dd", { class: "mono" }, verdict.presentedContentHash));
    body.append(h("h3", {}, "Hashes"), hashes);
  }
  let describeCertificate = () => {};
  if (verdict.device) {
    const { section, describe } = certificateSection(verdict.device);
    body.append(section);
    describeCertificate = describe;
  }
  const view: HTMLDetailsElement = h(
    "details",
    { class: "technical", id: "technical", ontoggle: () => view.open && describeCertificate() },
    h("summary", {}, "Technical details: every field of the record"),
    body,
  );
  return view;
}

function checksList(verdict: RemoteVerdict): HTMLElement {
  return h(
    "ol",
    { id: "checks" },
    ...STEPS.flatMap(([step, text]) => {
      const passed = verdict.passed.includes(step);
      const failed = verdict.failure?.step === step;
      // A record checked without its photo never runs the content step: say so rather than imply it passed.
      const state = passed ? "passed" : failed ? "failed" : "not checked";
      return [
        h(
          "li",
          { "data-step": step, "data-state": state },
          `${passed ? "✓" : failed ? "✗" : "–"} ${text} `,
          h("span", { class: "muted" }, failed ? `(failed: ${verdict.failure!.code})` : passed ? "" : "(not checked)"),
        ),
      ];
    }),
  );
}

function certificateSection(device: NonNullable<RemoteVerdict["device"]>): { section: HTMLElement; describe: () => void } {
  const section = h(
    "section",
    { id: "certificate" },
    h("h3", {}, "Certificate chain"),
    h("p", {}, `The camera's attestation certificate, issued by ${device.attestedBy}; the verifier checked its chain to a trusted manufacturer root when the camera registered.`),
  );
  const details = h("dl", { class: "facts" });
  section.append(details);
  let described = false;
  // The X.509 parser is a large module: fetched only for the few who open this view.
  const describe = () => {
    if (described) return;
    described = true;
    void import("./certificate.ts").then(({ describeCertificate }) => describeCertificate(device.attestationCertificate, details));
  };
  return { section, describe };
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
