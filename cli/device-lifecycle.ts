import { openCamera } from "../device/camera.ts";
import { type CameraStatus, cameraStatus } from "../device/device-status.ts";
import { pairCamera } from "../device/pair.ts";
import { options, positiveInteger, required } from "./usage.ts";

/**
 * `snapseal device pair --dir CAMERA [--server URL] [--timeout S]`: shows the
 * pairing code and waits for an owner to enter it. Exit 0 once paired, 1 when
 * the code expired or --timeout passed.
 */
export async function devicePair(args: string[]): Promise<number> {
  const { values } = options(args, { dir: { type: "string" }, server: { type: "string" }, timeout: { type: "string" } });
  const dir = required(values.dir, "dir");
  const timeoutSeconds = values.timeout === undefined ? undefined : positiveInteger(values.timeout, "timeout", 0);
  const camera = await openCamera(dir);
  try {
    const outcome = await pairCamera(camera, {
      ...(values.server ? { verifierUrl: values.server } : {}),
      ...(timeoutSeconds === undefined ? {} : { timeoutMs: timeoutSeconds * 1000 }),
      onCode: ({ code, expiresAt }) => {
        console.log(`Pairing code for camera ${camera.authenticator.identity.serial}:\n\n    ${code}\n`);
        console.log(`Sign in to the SnapSeal dashboard and enter it before ${expiresAt.toISOString()}. Waiting for an owner…`);
      },
    });
    switch (outcome.status) {
      case "paired":
        console.log(`Paired: this camera now belongs to ${outcome.ownerDisplayName}.`);
        return 0;
      case "expired":
        console.error("snapseal: the pairing code expired before an owner entered it; run `snapseal device pair` again");
        return 1;
      case "timed_out":
        console.error(`snapseal: no owner entered the pairing code within ${timeoutSeconds} s`);
        return 1;
    }
  } finally {
    camera.db.close();
  }
}

/**
 * `snapseal device status --dir CAMERA [--server URL] [--json]`: what the
 * verifier says of this camera's registration, asked with a signed assertion.
 * Exit 0 when it is valid, 1 when it is not registered, revoked, stolen, or
 * held or refused after a reset.
 */
export async function deviceStatus(args: string[]): Promise<number> {
  const { values } = options(args, { dir: { type: "string" }, server: { type: "string" }, json: { type: "boolean" } });
  const camera = await openCamera(required(values.dir, "dir"));
  try {
    const status = await cameraStatus(camera, values.server);
    console.log(values.json ? JSON.stringify(status, null, 2) : describeStatus(camera.authenticator.identity.serial, status));
    return status.registered && status.status === "valid" ? 0 : 1;
  } finally {
    camera.db.close();
  }
}

const standing: Record<Extract<CameraStatus, { registered: true }>["status"], string> = {
  valid: "valid",
  pending_approval: "held: a re-registration after a reset, waiting for the owner's approval in the dashboard",
  refused: "refused: the owner did not approve this re-registration",
  revoked: "revoked",
  stolen: "REPORTED STOLEN",
};

function describeStatus(serial: string, status: CameraStatus): string {
  if (!status.registered) return `camera ${serial}: not registered${status.verifier ? ` with ${status.verifier}` : ""} (${status.reason})`;
  const lines = [
    `camera      ${status.serial}${status.model ? ` (${status.model})` : ""}`,
    `verifier    ${status.verifier}`,
    `credential  ${status.credentialId}`,
    `registered  ${status.registeredAt}`,
    `owner       ${status.owner ? status.owner.displayName : "none yet: pair it with `snapseal device pair`"}`,
    `status      ${standing[status.status]}${status.revokedAt ? ` since ${status.revokedAt}` : ""}`,
  ];
  if (status.flagged) lines.push(`flagged     ${status.flagReason ?? "yes"} (possible cloned authenticator)`);
  return lines.join("\n");
}
