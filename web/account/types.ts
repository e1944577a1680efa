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

export type DeviceStatus = "owned" | "pending_approval" | "revoked" | "stolen";

export interface Device {
  id: string;
  serial: string;
  model: string | null;
  name: string | null;
  status: DeviceStatus;
  flagged: boolean;
  flagReason: string | null;
  registeredAt: string;
  ownedSince: string | null;
  revokedAt: string | null;
  reportedStolenAt: string | null;
  lastCounter: number;
  captureCount: number;
  lastCapturedAt: string | null;
  replaces: string | null;
  replacedBy: string | null;
}

export interface DeviceCapture {
  id: string;
  capturedAt: string;
  receivedAt: string;
  counter: number;
  chainGap: boolean;
  source: string;
  thumbnail: { width: number; height: number } | null;
}

export interface AuditEntry {
  seq: number;
  at: string;
  action: string;
  credentialId: string;
  serial: string;
  actor: { kind: "device" } | { kind: "owner"; displayName: string; you: boolean };
  detail: Record<string, unknown>;
}

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
