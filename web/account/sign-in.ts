import { api } from "../shared/api.ts";
import { h } from "../shared/dom.ts";
import type { Flow, Owner, SessionView } from "./types.ts";
import { field, form, say, showView, text } from "./view.ts";

/** Step 1: the password. An account without TOTP goes on to enrol it. */
export function showSignIn(flow: Flow): void {
  showView(
    "Sign in",
    h("p", { class: "lede" }, "Sign in with your password, then the code from your authenticator app."),
    h(
      "div",
      { class: "card narrow" },
      form(
        { id: "sign-in", "aria-label": "Sign in" },
        [
          field("signin-email", "Email address", { type: "email", autocomplete: "username", maxlength: 254 }),
          field("signin-password", "Password", { type: "password", autocomplete: "current-password", maxlength: 256 }),
        ],
        "Continue",
        async (data) => {
          const answer = await api<{ session: SessionView }>("POST", "/v1/account/signin", { email: text(data, "signin-email"), password: text(data, "signin-password") });
          if (answer.session.state === "awaiting_enrolment") flow.enrol();
          else flow.secondFactor();
        },
      ),
      h("p", {}, "New here? ", h("button", { type: "button", class: "secondary", id: "to-sign-up", onclick: () => flow.signUp() }, "Create an account")),
    ),
  );
}

/** Step 2: a TOTP code, or one of the recovery codes for a lost phone. */
export function showSecondFactor(flow: Flow): void {
  const signedIn = (answer: { owner: Owner; recoveryCodesLeft: number }, usedRecoveryCode: boolean) => {
    flow.signedIn(answer.owner);
    flow.dashboard();
    if (usedRecoveryCode) say("info", `You signed in with a recovery code. ${answer.recoveryCodesLeft} recovery code${answer.recoveryCodesLeft === 1 ? "" : "s"} left.`);
  };
  showView(
    "Enter your code",
    h("p", { class: "lede" }, "Open your authenticator app and enter the 6-digit code it shows for SnapSeal."),
    h(
      "div",
      { class: "card narrow stack" },
      form(
        { id: "totp-code-form", "aria-label": "Authenticator code" },
        [field("totp-code", "6-digit code", { type: "text", inputmode: "numeric", autocomplete: "one-time-code", pattern: "\\s*[0-9]{3}\\s*[0-9]{3}\\s*", maxlength: 16 })],
        "Sign in",
        async (data) => signedIn(await api("POST", "/v1/account/signin/code", { code: text(data, "totp-code").replace(/\s/g, "") }), false),
      ),
      h(
        "details",
        {},
        h("summary", {}, "Lost your phone? Use a recovery code"),
        form(
          { id: "recovery-code-form", "aria-label": "Recovery code" },
          [field("recovery-code", "Recovery code", { type: "text", autocomplete: "off", spellcheck: "false", maxlength: 64 }, "xxxx-xxxx-xxxx-xxxx")],
          "Sign in with recovery code",
          async (data) => signedIn(await api("POST", "/v1/account/signin/code", { recoveryCode: text(data, "recovery-code") }), true),
        ),
      ),
      h("p", {}, h("button", { type: "button", class: "secondary", onclick: () => flow.signIn() }, "Start again")),
    ),
  );
}
