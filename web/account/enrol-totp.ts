import { api } from "../shared/api.ts";
import { h } from "../shared/dom.ts";
import type { Flow, Owner, SessionView } from "./types.ts";
import { field, form, perform, showView, text } from "./view.ts";

interface Enrolment {
  base32: string;
  pretty: string;
  uri: string;
  qrSvg: string;
}

function svgDataUrl(svg: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(svg)) binary += String.fromCharCode(byte);
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}

/** A new secret (asking again replaces a pending one), shown as a QR code and as text to type; a code from it confirms. */
export async function showEnrolment(flow: Flow): Promise<void> {
  const placeholder = h("p", { class: "muted" }, h("span", { class: "spinner", "aria-hidden": "true" }), " Making your secret…");
  showView(
    "Set up your authenticator app",
    h("p", { class: "lede" }, "Every sign-in asks for a code from an authenticator app (such as Aegis, Google Authenticator or 1Password) as well as your password."),
    placeholder,
  );
  let enrolment: Enrolment | undefined;
  const started = await perform(null, async () => {
    enrolment = await api<Enrolment>("POST", "/v1/account/totp/enrol");
  });
  if (!started || !enrolment) {
    placeholder.replaceWith(h("p", {}, h("button", { type: "button", onclick: () => flow.enrol() }, "Try again")));
    return;
  }
  placeholder.replaceWith(
    h(
      "div",
      { class: "card enrol" },
      h(
        "ol",
        { class: "steps" },
        h(
          "li",
          {},
          h("h2", {}, "Scan this code with the app"),
          h("img", { class: "qr", src: svgDataUrl(enrolment.qrSvg), width: 220, height: 220, alt: "QR code of your SnapSeal authenticator secret, for your authenticator app to scan" }),
          h("p", {}, "Cannot scan? Type this secret into the app instead:"),
          h("p", { class: "secret mono", id: "totp-secret" }, enrolment.pretty),
          h("p", { class: "muted" }, "Time-based, 6 digits, every 30 seconds. On this phone? ", h("a", { href: enrolment.uri }, "Open it in your app"), "."),
        ),
        h(
          "li",
          {},
          h("h2", {}, "Enter the code the app shows"),
          form(
            { id: "totp-confirm", "aria-label": "Confirm your authenticator app" },
            [field("totp-confirm-code", "6-digit code", { type: "text", inputmode: "numeric", autocomplete: "one-time-code", pattern: "\\s*[0-9]{3}\\s*[0-9]{3}\\s*", maxlength: 16 })],
            "Confirm",
            async (data) => {
              const confirmed = await api<{ owner: Owner; session: SessionView; recoveryCodes: string[] }>("POST", "/v1/account/totp/confirm", {
                code: text(data, "totp-confirm-code").replace(/\s/g, ""),
              });
              flow.signedIn(confirmed.owner);
              flow.recoveryCodes(confirmed.recoveryCodes);
            },
          ),
        ),
      ),
    ),
  );
}

/** Shown this once: the verifier keeps only their hashes. */
export function showRecoveryCodes(flow: Flow, codes: string[]): void {
  showView(
    "Save your recovery codes",
    h(
      "div",
      { class: "card stack" },
      h("p", {}, "If you lose your phone, each of these codes signs you in once instead of an authenticator code. Write them down or keep them in a password manager. They are shown only now."),
      h("ol", { class: "recovery-codes mono", id: "recovery-codes" }, ...codes.map((code) => h("li", {}, code))),
      h("p", {}, h("button", { type: "button", id: "saved-codes", onclick: () => flow.dashboard() }, "I have saved them")),
    ),
  );
}
