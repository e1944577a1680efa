// The owner dashboard (/account): sign-up, sign-in with TOTP, and the owner's
// cameras. No framework: each view is rebuilt from the API's answers, and a
// reload asks the verifier which sign-in step this browser's session is at.

import { ApiError, api } from "../shared/api.ts";
import { byId } from "../shared/dom.ts";
import { loadDevice } from "./device-detail.ts";
import { showDashboard } from "./devices.ts";
import { showEnrolment, showRecoveryCodes } from "./enrol-totp.ts";
import { showSecondFactor, showSignIn } from "./sign-in.ts";
import { showSignUp } from "./sign-up.ts";
import type { Flow, Owner, SessionView } from "./types.ts";
import { onSessionEnded, perform, say } from "./view.ts";

const who = byId("who");
const signOut = byId<HTMLButtonElement>("sign-out");

function signedIn(owner: Pick<Owner, "displayName"> | null): void {
  byId("who-name").textContent = owner ? owner.displayName : "";
  who.hidden = owner === null;
}

const flow: Flow = {
  signIn: () => {
    signedIn(null);
    showSignIn(flow);
  },
  signUp: () => {
    signedIn(null);
    showSignUp(flow);
  },
  secondFactor: () => showSecondFactor(flow),
  enrol: () => void showEnrolment(flow),
  recoveryCodes: (codes) => showRecoveryCodes(flow, codes),
  dashboard: () => void showDashboard(flow),
  device: (id) => void loadDevice(flow, id),
  signedIn,
};

onSessionEnded(() => flow.signIn());

signOut.addEventListener("click", () =>
  void perform(signOut, async () => {
    await api("POST", "/v1/account/signout");
    flow.signIn();
    say("info", "You are signed out.");
  }),
);

async function resume(): Promise<void> {
  let session: SessionView;
  try {
    ({ session } = await api<{ session: SessionView }>("GET", "/v1/account/session"));
  } catch (error) {
    if (error instanceof ApiError && error.code === "session_required") return flow.signIn();
    flow.signIn();
    say("error", error instanceof ApiError ? error.message : "The verifier cannot be reached. Reload the page to try again.");
    return;
  }
  if (session.state === "awaiting_enrolment") return flow.enrol();
  if (session.state === "awaiting_code") return flow.secondFactor();
  await perform(null, async () => {
    signedIn(await api<Owner>("GET", "/v1/account/me"));
    flow.dashboard();
  });
}

void resume();
