import type { Camera } from "./camera.ts";
import { proveCredential, verifierFor } from "./device-assertion.ts";
import { VerifierHttpError, postJson } from "../src/http/verifier-client.ts";

export interface ShownCode {
  code: string;
  expiresAt: Date;
}

export type PairingOutcome = { status: "paired"; ownerDisplayName: string } | { status: "expired" } | { status: "timed_out" };

interface IssuedCode {
  code: string;
  expiresAt: string;
  pollSecret: string;
  pollIntervalMs: number;
}

type PollAnswer = { state: "waiting" } | { state: "expired" } | { state: "claimed"; owner: { displayName: string } };

/**
 * Pairing, the camera's half (device-flow style): prove the credential, show
 * the one-time code, then poll with the secret that came with it until an
 * owner enters the code, the code expires, or `timeoutMs` passes.
 */
export async function pairCamera(
  camera: Camera,
  options: { verifierUrl?: string; timeoutMs?: number; onCode: (shown: ShownCode) => void },
): Promise<PairingOutcome> {
  const base = await verifierFor(camera, options.verifierUrl);
  const issued = await postJson<IssuedCode>(`${base}/v1/devices/pairing-codes`, await proveCredential(camera, base, "pair"));
  options.onCode({ code: issued.code, expiresAt: new Date(issued.expiresAt) });
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  for (;;) {
    const answer = await poll(base, issued.pollSecret);
    if (answer.state === "claimed") return { status: "paired", ownerDisplayName: answer.owner.displayName };
    if (answer.state === "expired") return { status: "expired" };
    if (Date.now() + issued.pollIntervalMs > deadline) return { status: "timed_out" };
    await new Promise((resolve) => setTimeout(resolve, issued.pollIntervalMs));
  }
}

async function poll(base: string, pollSecret: string): Promise<PollAnswer> {
  try {
    return await postJson<PollAnswer>(`${base}/v1/devices/pairing-codes/poll`, { pollSecret });
  } catch (error) {
    // A newer code for this camera replaced this one: it can no longer be claimed.
    if (error instanceof VerifierHttpError && error.code === "not_found") return { state: "expired" };
    throw error;
  }
}
