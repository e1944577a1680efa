import { type Camera, activeCredential } from "./camera.ts";
import { proveCredential, verifierFor } from "./device-assertion.ts";
import { VerifierHttpError, postJson } from "../src/http/verifier-client.ts";

/** The verifier's answer to a camera asking about its own registration (POST /v1/devices/status). */
export interface RegistrationStatus {
  credentialId: string;
  registered: true;
  registeredAt: string;
  serial: string;
  model: string | null;
  status: "valid" | "pending_approval" | "refused" | "revoked" | "stolen";
  owner: { displayName: string } | null;
  revokedAt: string | null;
  reportedStolenAt: string | null;
  flagged: boolean;
  flagReason: string | null;
  lastCounter: number;
  reregistration: { previousCredentialId: string; decision: "pending" | "approved" | "refused" } | null;
}

export type CameraStatus = (RegistrationStatus & { verifier: string }) | { registered: false; verifier: string | null; reason: string };

/**
 * "Is my registration still valid?", asked with a signed assertion over a
 * fresh verifier challenge, so the answer is about the credential this camera
 * holds and nobody can ask on its behalf.
 */
export async function cameraStatus(camera: Camera, verifierUrl?: string): Promise<CameraStatus> {
  if (!(await activeCredential(camera.db))) return { registered: false, verifier: verifierUrl ?? null, reason: "this camera holds no registered credential" };
  const base = await verifierFor(camera, verifierUrl);
  try {
    const status = await postJson<RegistrationStatus>(`${base}/v1/devices/status`, await proveCredential(camera, base, "status"));
    return { ...status, verifier: base };
  } catch (error) {
    if (error instanceof VerifierHttpError && error.code === "credential_unknown") {
      return { registered: false, verifier: base, reason: "the verifier does not know this camera's credential" };
    }
    throw error;
  }
}
