/** The owner API's answers the dashboard reads (docs/api.md). */

export type SessionState = "awaiting_code" | "awaiting_enrolment" | "full";

export interface SessionView {
  state: SessionState;
  csrfToken: string;
  expiresAt: number;
}

export interface Owner {
  id: string;
  email: string;
  displayName: string;
}

// The verifier's own answer types, imported as types only: none of its code reaches the bundle.
export type { OwnedDevice as Device, DeviceCapture } from "../../verifier/db/ownership.ts";
export type { AuditEntry } from "../../verifier/db/audit-log.ts";

/** The dashboard's steps; each view moves on through these, so no view imports another's module. */
export interface Flow {
  signIn(): void;
  signUp(): void;
  secondFactor(): void;
  enrol(): void;
  recoveryCodes(codes: string[]): void;
  dashboard(): void;
  device(id: string): void;
  signedIn(owner: Pick<Owner, "displayName">): void;
}
