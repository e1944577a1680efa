import { api } from "../shared/api.ts";
import { h } from "../shared/dom.ts";
import type { Flow, Owner, SessionView } from "./types.ts";
import { field, form, showView, text } from "./view.ts";

export function showSignUp(flow: Flow): void {
  showView(
    "Create an owner account",
    h("p", { class: "lede" }, "Pair your cameras with your account, see what they captured, and revoke one if it is lost. You will set up an authenticator app next."),
    h(
      "div",
      { class: "card narrow" },
      form(
        { id: "sign-up", "aria-label": "Create an account" },
        [
          field("signup-email", "Email address", { type: "email", autocomplete: "email", maxlength: 254 }),
          field("signup-name", "Display name", { type: "text", autocomplete: "name", maxlength: 80 }, "shown on the public check of your photos"),
          field("signup-password", "Password", { type: "password", autocomplete: "new-password", minlength: 10, maxlength: 256 }, "at least 10 characters"),
        ],
        "Create account",
        async (data) => {
          await api<{ owner: Owner; session: SessionView }>("POST", "/v1/account/signup", {
            email: text(data, "signup-email"),
            displayName: text(data, "signup-name"),
            password: text(data, "signup-password"),
          });
          flow.enrol();
        },
      ),
      h("p", {}, "Have an account? ", h("button", { type: "button", class: "secondary", id: "to-sign-in", onclick: () => flow.signIn() }, "Sign in")),
    ),
  );
}
