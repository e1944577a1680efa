import { type CborValue, encodeCanonical } from "../cbor/canonical.ts";
import { signEs256, verifyEs256 } from "../crypto/es256.ts";
import { sha256 } from "../crypto/sha256.ts";
import { bytesEqual, fromBase64Url, toBase64Url } from "../bytes.ts";
import type { TimeAnchorToken } from "./payload.ts";

/**
 * A time anchor is the verifier's signed statement "it was at least t". A camera
 * picks one up whenever it is online and puts the latest into every capture, so
 * a capture time can never be pushed back before the last moment the camera was
 * provably online, however wrong its clock.
 */
const ANCHOR_DOMAIN = "snapseal/time-anchor/v1";

function anchorMessage(t: number, kid: Uint8Array): Uint8Array {
  return encodeCanonical(new Map<string, CborValue>([["d", ANCHOR_DOMAIN], ["t", t], ["kid", kid]]));
}

/** Key id: the first 8 bytes of SHA-256 of the uncompressed public point. */
export async function anchorKeyId(publicPoint: Uint8Array): Promise<Uint8Array> {
  return (await sha256(publicPoint)).slice(0, 8);
}

export async function signTimeAnchor(privateKey: CryptoKey, kid: Uint8Array, t: number): Promise<TimeAnchorToken> {
  return { t, kid, sig: await signEs256(privateKey, anchorMessage(t, kid)) };
}

/**
 * A camera carries the same anchor in every capture until it next goes online,
 * so a verifier sees each anchor many times: answers are kept per key and
 * anchor time (bounded), and reused only for the very same kid and signature.
 */
const MAX_REMEMBERED_ANCHORS = 4096;
interface Remembered {
  kid: Uint8Array;
  sig: Uint8Array;
  verdict: Promise<boolean>;
}
const verdictsByKey = new WeakMap<CryptoKey, Map<number, Remembered>>();

export function verifyTimeAnchor(publicKey: CryptoKey, anchor: TimeAnchorToken): Promise<boolean> {
  let verdicts = verdictsByKey.get(publicKey);
  if (!verdicts) verdictsByKey.set(publicKey, (verdicts = new Map()));
  const remembered = verdicts.get(anchor.t);
  if (remembered && bytesEqual(remembered.kid, anchor.kid) && bytesEqual(remembered.sig, anchor.sig)) return remembered.verdict;
  const verdict = verifyEs256(publicKey, anchor.sig, anchorMessage(anchor.t, anchor.kid));
  if (verdicts.size >= MAX_REMEMBERED_ANCHORS) verdicts.delete(verdicts.keys().next().value!);
  verdicts.set(anchor.t, { kid: anchor.kid, sig: anchor.sig, verdict });
  return verdict;
}

export interface TimeAnchorJson {
  t: number;
  kid: string;
  sig: string;
}

export function anchorToJson(anchor: TimeAnchorToken): TimeAnchorJson {
  return { t: anchor.t, kid: toBase64Url(anchor.kid), sig: toBase64Url(anchor.sig) };
}

/** Parses an anchor received over the network; its signature is checked later, by whoever relies on it. */
export function anchorFromJson(json: unknown): TimeAnchorToken {
  const { t, kid, sig } = (json ?? {}) as Partial<TimeAnchorJson>;
  if (typeof t !== "number" || !Number.isSafeInteger(t) || t < 0 || typeof kid !== "string" || typeof sig !== "string") {
    throw new TypeError("malformed time anchor");
  }
  return { t, kid: fromBase64Url(kid), sig: fromBase64Url(sig) };
}
