import { toBase64Url } from "../bytes.ts";
import type { CaptureRecord } from "./capture-record.ts";

/**
 * A capture record as the AuthenticationResponseJSON of WebAuthn L3 §5.1, the
 * shape relying-party libraries take: any of them can check a record's
 * signature, given base64url(SHA-256(payload)) as the expected challenge.
 */
export function toAuthenticationResponseJSON(record: CaptureRecord) {
  const id = toBase64Url(record.credentialId);
  return {
    id,
    rawId: id,
    type: "public-key" as const,
    clientExtensionResults: {},
    response: {
      clientDataJSON: toBase64Url(record.clientDataJSON),
      authenticatorData: toBase64Url(record.authenticatorData),
      signature: toBase64Url(record.signature),
    },
  };
}
