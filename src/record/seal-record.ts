import { concatBytes, toBase64Url } from "../bytes.ts";
import { sha256 } from "../crypto/sha256.ts";
import { imageDataHash } from "../jpeg/image-hash.ts";
import { readImageInfo } from "../jpeg/image-info.ts";
import { embedRecordParts } from "../jpeg/exif-record.ts";
import { encodeClientData } from "../webauthn/client-data.ts";
import { type CaptureRecord, encodeRecord, recordHash } from "./capture-record.ts";
import { type CaptureMeta, type CapturePayload, type CaptureSource, type TimeAnchorToken, encodePayload } from "./payload.ts";

/**
 * What sealing needs from an authenticator. The payload must carry the
 * signature counter the authenticator is about to use, so the authenticator
 * hands its next counter to `clientDataHashFor` and signs what comes back, as
 * one step; a real secure element would do the same inside the chip.
 */
export type AssertWithCounter = (
  clientDataHashFor: (signCount: number) => Promise<Uint8Array>,
) => Promise<{ authenticatorData: Uint8Array; signature: Uint8Array }>;

export interface SealOptions {
  credentialId: Uint8Array;
  origin: string;
  assert: AssertWithCounter;
  source: CaptureSource;
  capturedAt: number;
  prev: Uint8Array;
  fingerprint: Uint8Array;
  anchor?: TimeAnchorToken;
  meta: Omit<CaptureMeta, "width" | "height">;
  /** Random unless given; tests give one to play a camera whose random source repeats. */
  nonce?: Uint8Array;
}

export interface SealedCapture {
  /** The sealed file in pieces, views into the input JPEG around the new Exif segment (see embedRecordParts). */
  parts: readonly Uint8Array[];
  /** The sealed file in one piece, joined on first use. */
  readonly jpeg: Uint8Array;
  record: CaptureRecord;
  encodedRecord: Uint8Array;
  recordHash: Uint8Array;
  payload: CapturePayload;
}

export async function sealJpeg(jpeg: Uint8Array, options: SealOptions): Promise<SealedCapture> {
  const { width, height } = readImageInfo(jpeg);
  const contentHash = await imageDataHash(jpeg);
  let payload: CapturePayload | undefined;
  let encodedPayload: Uint8Array | undefined;
  let clientDataJSON: Uint8Array | undefined;
  const { authenticatorData, signature } = await options.assert(async (signCount) => {
    payload = {
      v: 1,
      alg: "ES256",
      source: options.source,
      contentHash,
      fingerprint: options.fingerprint,
      capturedAt: options.capturedAt,
      nonce: options.nonce ?? crypto.getRandomValues(new Uint8Array(16)),
      counter: signCount,
      prev: options.prev,
      ...(options.anchor ? { anchor: options.anchor } : {}),
      meta: { ...options.meta, width, height },
    };
    encodedPayload = encodePayload(payload);
    clientDataJSON = encodeClientData("webauthn.get", await sha256(encodedPayload), options.origin);
    return sha256(clientDataJSON);
  });
  if (!payload || !encodedPayload || !clientDataJSON) throw new Error("authenticator signed without asking for the client data");
  const record: CaptureRecord = {
    v: 1,
    credentialId: options.credentialId,
    payload: encodedPayload,
    authenticatorData,
    clientDataJSON,
    signature,
  };
  const encodedRecord = encodeRecord(record);
  const parts = embedRecordParts(jpeg, encodedRecord);
  let joined: Uint8Array | undefined;
  return {
    parts,
    get jpeg() {
      return (joined ??= concatBytes(...parts));
    },
    record,
    encodedRecord,
    recordHash: await recordHash(encodedRecord),
    payload,
  };
}

/** The challenge a relying party expects for a record: base64url(SHA-256(payload)). */
export async function expectedChallenge(encodedPayload: Uint8Array): Promise<string> {
  return toBase64Url(await sha256(encodedPayload));
}
