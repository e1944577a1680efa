import { fromUtf8, toBase64Url, utf8 } from "../bytes.ts";

export type ClientDataType = "webauthn.create" | "webauthn.get";

export interface CollectedClientData {
  type: string;
  challenge: string;
  origin: string;
  crossOrigin?: boolean;
}

export class ClientDataError extends Error {
  override readonly name = "ClientDataError";
}

/** Serialises CollectedClientData with the member order of WebAuthn L3 §5.8.1.1. */
export function encodeClientData(type: ClientDataType, challenge: Uint8Array, origin: string): Uint8Array {
  return utf8(JSON.stringify({ type, challenge: toBase64Url(challenge), origin, crossOrigin: false }));
}

/** Parses clientDataJSON as a relying party must: any JSON object with the members typed as expected. */
export function parseClientData(bytes: Uint8Array): CollectedClientData {
  let value: unknown;
  try {
    value = JSON.parse(fromUtf8(bytes));
  } catch {
    throw new ClientDataError("not UTF-8 JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ClientDataError("not a JSON object");
  const { type, challenge, origin, crossOrigin } = value as Record<string, unknown>;
  if (typeof type !== "string" || typeof challenge !== "string" || typeof origin !== "string") {
    throw new ClientDataError("type, challenge and origin must be strings");
  }
  if (crossOrigin !== undefined && typeof crossOrigin !== "boolean") throw new ClientDataError("crossOrigin must be a boolean");
  return { type, challenge, origin, ...(crossOrigin === undefined ? {} : { crossOrigin }) };
}
