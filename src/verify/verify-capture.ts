import { bytesEqual, fromBase64Url } from "../bytes.ts";
import { sha256 } from "../crypto/sha256.ts";
import { ProvenanceError, isProvenanceError } from "../errors.ts";
import { extractRecord } from "../jpeg/exif-record.ts";
import { imageDataHash } from "../jpeg/image-hash.ts";
import { SAME_PICTURE_MAX_DISTANCE, hammingDistance } from "../jpeg/fingerprint.ts";
import { type CaptureRecord, decodeRecord, recordHash } from "../record/capture-record.ts";
import { type CapturePayload, decodePayload } from "../record/payload.ts";
import { verifyTimeAnchor } from "../record/time-anchor.ts";
import { type AuthenticatorData, parseAuthenticatorData } from "../webauthn/authenticator-data.ts";
import { checkCameraAssertionScope, checkCameraAssertionSignature } from "../webauthn/camera-assertion.ts";
import { type CollectedClientData, parseClientData } from "../webauthn/client-data.ts";

/** What the verifier knows of a registered credential. */
export interface RegisteredCredential {
  credentialId: Uint8Array;
  /** Uncompressed SEC1 P-256 point. */
  publicKey: Uint8Array;
  rpId: string;
  origin: string;
  /** The device serial number from the attestation certificate it registered with. */
  serial: string;
  /** Milliseconds since the epoch, or null while the credential is valid. */
  revokedAt: number | null;
  /**
   * A re-registration (after a factory reset) of a camera that has an owner,
   * not yet approved by that owner: nothing it seals counts until then.
   */
  approvalPending?: boolean;
}

export interface FreshnessPolicy {
  /** The time the verifier received the capture, in ms. */
  receivedAt: number;
  /** The offline window: how old a capture may be when it arrives. */
  maxAgeMs: number;
  /** How far ahead of the verifier's clock a camera clock may run. */
  maxSkewMs: number;
}

export interface VerificationContext<C extends RegisteredCredential> {
  findCredential(credentialId: Uint8Array): Promise<C | null>;
  /**
   * When the capture reached the verifier: now during ingest, the stored receipt
   * time when re-checking a recorded capture. Asked only of revoked credentials,
   * whose captures stay valid if both sealed and received before the revocation.
   */
  receivedAt(recordHash: Uint8Array): Promise<number>;
  /** The verifier's time-anchor public key for a key id, or null if unknown. */
  anchorKey(kid: Uint8Array): Promise<CryptoKey | null>;
  /** Applied at ingest only: a recorded capture stays valid as it ages. */
  freshness?: FreshnessPolicy;
  /**
   * Decodes the presented picture to its dHash (see src/jpeg/fingerprint.ts) so
   * a changed picture can be told from a record moved to another picture.
   * Without it every content mismatch is reported as content_altered.
   */
  fingerprint?: (jpeg: Uint8Array) => Promise<Uint8Array>;
}

export type VerificationStep = "parse" | "credential" | "binding" | "signature" | "content" | "time";

/** Everything learned before verification stopped, for reports and the check page. */
export interface CaptureEvidence<C> {
  encodedRecord?: Uint8Array;
  record?: CaptureRecord;
  recordHash?: Uint8Array;
  payload?: CapturePayload;
  authenticatorData?: AuthenticatorData;
  clientData?: CollectedClientData;
  credential?: C;
  /** Hash of the presented image data, when it differed from the signed one. */
  presentedContentHash?: Uint8Array;
}

export type CaptureVerification<C> =
  | { ok: true; passed: VerificationStep[]; evidence: Required<Omit<CaptureEvidence<C>, "presentedContentHash">> }
  | { ok: false; failedStep: VerificationStep; error: ProvenanceError; passed: VerificationStep[]; evidence: CaptureEvidence<C> };

/**
 * Checks a sealed photo in the order of DESIGN.md "What the verifier checks".
 * Each step either passes or stops verification with its own error code; the
 * replay and counter steps (7, 8) need shared state and are applied after this,
 * by the ledger, inside a database transaction.
 */
export function verifyCapture<C extends RegisteredCredential>(jpeg: Uint8Array, context: VerificationContext<C>): Promise<CaptureVerification<C>> {
  const evidence: CaptureEvidence<C> = {};
  // Hashing the image data is the one long computation and needs nothing the
  // other steps learn: it starts once the record parses, so it overlaps the
  // credential lookup, and is judged in its place, at step 5.
  let presentedHash: Promise<Uint8Array> | undefined;
  return runSteps(evidence, [
    [
      "parse",
      async () => {
        await parse(extractRecord(jpeg), evidence);
        presentedHash = imageDataHash(jpeg);
        presentedHash.catch(() => {});
      },
    ],
    ["credential", () => checkCredential(evidence, context)],
    ["binding", () => checkBinding(evidence)],
    ["signature", () => checkSignature(evidence)],
    ["content", () => checkContent(jpeg, presentedHash!, evidence, context)],
    ["time", () => checkTime(evidence, context)],
  ]);
}

/**
 * The same checks of a record on its own, without the photo it was sealed
 * for (a recorded capture's permalink): everything but the content step, so
 * the result can never say the pixels are unchanged.
 */
export function verifyRecord<C extends RegisteredCredential>(encodedRecord: Uint8Array, context: VerificationContext<C>): Promise<CaptureVerification<C>> {
  const evidence: CaptureEvidence<C> = {};
  return runSteps(evidence, [
    ["parse", () => parse(encodedRecord, evidence)],
    ["credential", () => checkCredential(evidence, context)],
    ["binding", () => checkBinding(evidence)],
    ["signature", () => checkSignature(evidence)],
    ["time", () => checkTime(evidence, context)],
  ]);
}

async function runSteps<C>(evidence: CaptureEvidence<C>, steps: [VerificationStep, () => Promise<void>][]): Promise<CaptureVerification<C>> {
  const passed: VerificationStep[] = [];
  for (const [step, run] of steps) {
    try {
      await run();
    } catch (error) {
      if (!isProvenanceError(error)) throw error;
      return { ok: false, failedStep: step, error, passed, evidence };
    }
    passed.push(step);
  }
  const { presentedContentHash: _, ...complete } = evidence;
  return { ok: true, passed, evidence: complete as Required<Omit<CaptureEvidence<C>, "presentedContentHash">> };
}

/** Step 1: the record is present, bounded and strict CBOR of the expected shape, and so is its payload. */
async function parse<C>(encodedRecord: Uint8Array | null, evidence: CaptureEvidence<C>): Promise<void> {
  if (!encodedRecord) throw new ProvenanceError("record_missing");
  evidence.encodedRecord = encodedRecord;
  evidence.record = decodeRecord(encodedRecord);
  evidence.recordHash = await recordHash(encodedRecord);
  evidence.payload = decodePayload(evidence.record.payload);
  try {
    evidence.authenticatorData = parseAuthenticatorData(evidence.record.authenticatorData);
  } catch (error) {
    throw new ProvenanceError("authenticator_data_malformed", (error as Error).message);
  }
  try {
    evidence.clientData = parseClientData(evidence.record.clientDataJSON);
  } catch (error) {
    throw new ProvenanceError("client_data_malformed", (error as Error).message);
  }
}

/**
 * Step 2: the credential is registered (its attestation chain was verified at
 * registration), not held for its owner's approval, and not revoked, unless
 * the revocation came after both the capture and its receipt.
 */
async function checkCredential<C extends RegisteredCredential>(evidence: CaptureEvidence<C>, context: VerificationContext<C>): Promise<void> {
  const credential = await context.findCredential(evidence.record!.credentialId);
  if (!credential) throw new ProvenanceError("credential_unknown");
  evidence.credential = credential;
  if (credential.approvalPending) throw new ProvenanceError("credential_pending_approval");
  const { revokedAt } = credential;
  if (revokedAt === null) return;
  const receivedAt = await context.receivedAt(evidence.recordHash!);
  if (!sealedBeforeRevocation(evidence.payload!.capturedAt, receivedAt, revokedAt)) {
    throw new ProvenanceError("credential_revoked", `revoked at ${new Date(revokedAt).toISOString()}`);
  }
}

/** A revoked credential's capture stays valid when it was both sealed and received before the revocation. */
export function sealedBeforeRevocation(capturedAt: number, receivedAt: number, revokedAt: number): boolean {
  return capturedAt < revokedAt && receivedAt < revokedAt;
}

/** Step 3: what the assertion is bound to (WebAuthn L3 §7.2 steps 11-16, our profile of them). */
async function checkBinding<C extends RegisteredCredential>(evidence: CaptureEvidence<C>): Promise<void> {
  const { credential, clientData, authenticatorData, payload, record } = evidence as Required<CaptureEvidence<C>>;
  // §7.2 step 11: the type is webauthn.get.
  if (clientData.type !== "webauthn.get") throw new ProvenanceError("client_data_type_mismatch", clientData.type);
  // §7.2 step 12: the challenge commits to the payload.
  let challenge: Uint8Array;
  try {
    challenge = fromBase64Url(clientData.challenge);
  } catch {
    throw new ProvenanceError("challenge_mismatch", "challenge is not base64url");
  }
  if (!bytesEqual(challenge, await sha256(record.payload))) throw new ProvenanceError("challenge_mismatch");
  // §7.2 steps 13-17: origin, rpIdHash and flags, as for every camera assertion.
  await checkCameraAssertionScope(clientData, authenticatorData, credential);
  // The signed metadata names the device the credential was attested for.
  if (payload.meta.serial !== credential.serial) throw new ProvenanceError("device_mismatch", `payload names ${payload.meta.serial}`);
  if (authenticatorData.signCount !== payload.counter) {
    throw new ProvenanceError("counter_mismatch", `payload ${payload.counter}, authenticatorData ${authenticatorData.signCount}`);
  }
}

/** Step 4 (WebAuthn L3 §7.2 steps 20-21): the signature over authenticatorData || SHA-256(clientDataJSON). */
async function checkSignature<C extends RegisteredCredential>(evidence: CaptureEvidence<C>): Promise<void> {
  const { credential, record } = evidence as Required<CaptureEvidence<C>>;
  await checkCameraAssertionSignature(credential.publicKey, record);
}

/** Step 5: the record belongs to these pixels. */
async function checkContent<C extends RegisteredCredential>(
  jpeg: Uint8Array,
  presentedHash: Promise<Uint8Array>,
  evidence: CaptureEvidence<C>,
  context: VerificationContext<C>,
): Promise<void> {
  const payload = evidence.payload!;
  const presented = await presentedHash;
  if (bytesEqual(presented, payload.contentHash)) return;
  evidence.presentedContentHash = presented;
  if (context.fingerprint) {
    const distance = hammingDistance(await context.fingerprint(jpeg), payload.fingerprint);
    if (distance > SAME_PICTURE_MAX_DISTANCE) throw new ProvenanceError("record_transplanted", `fingerprint distance ${distance}`);
  }
  throw new ProvenanceError("content_altered");
}

/**
 * Step 6: the capture time. Wherever the record is checked, it may not be
 * earlier than the signed server time anchor it carries; at receipt it must
 * also lie within the clock-skew allowance and the offline window.
 */
async function checkTime<C extends RegisteredCredential>(evidence: CaptureEvidence<C>, context: VerificationContext<C>): Promise<void> {
  const { capturedAt, anchor } = evidence.payload!;
  const policy = context.freshness;
  if (policy && capturedAt > policy.receivedAt + policy.maxSkewMs) {
    throw new ProvenanceError("capture_in_future", `${capturedAt - policy.receivedAt} ms ahead`);
  }
  if (policy && policy.receivedAt - capturedAt > policy.maxAgeMs) {
    throw new ProvenanceError("capture_too_old", `${Math.floor((policy.receivedAt - capturedAt) / 86_400_000)} days old`);
  }
  if (!anchor) return;
  const key = await context.anchorKey(anchor.kid);
  if (!key || !(await verifyTimeAnchor(key, anchor))) throw new ProvenanceError("anchor_invalid");
  if (policy && anchor.t > policy.receivedAt + policy.maxSkewMs) throw new ProvenanceError("anchor_invalid", "anchor is in the future");
  if (capturedAt < anchor.t) throw new ProvenanceError("capture_before_anchor");
}
