import * as OTPAuth from "otpauth";

/**
 * TOTP (RFC 6238) with the parameters every authenticator app accepts:
 * HMAC-SHA1, 6 digits, 30-second steps. otpauth does the arithmetic; this
 * module fixes the parameters and says which time step a code matched, so the
 * caller can record that step as used (RFC 6238 §5.2: a code is accepted once).
 */
export const TOTP_PERIOD_SECONDS = 30;
const DIGITS = 6;
/** One step either side absorbs clock drift and a code typed as it turns over. */
export const TOTP_WINDOW_STEPS = 1;

export interface TotpEnrolment {
  /** RFC 4648 base32, as stored (encrypted) and as typed into an app. */
  base32: string;
  /** The same in groups of four, easier to read aloud or type. */
  pretty: string;
  /** The otpauth:// URI a QR code carries. */
  uri: string;
}

function totp(base32: string, issuer = "SnapSeal", label = "SnapSeal"): OTPAuth.TOTP {
  return new OTPAuth.TOTP({ issuer, label, algorithm: "SHA1", digits: DIGITS, period: TOTP_PERIOD_SECONDS, secret: OTPAuth.Secret.fromBase32(base32) });
}

export function newTotpEnrolment(issuer: string, label: string): TotpEnrolment {
  const base32 = new OTPAuth.Secret({ size: 20 }).base32;
  return enrolmentOf(base32, issuer, label);
}

export function enrolmentOf(base32: string, issuer: string, label: string): TotpEnrolment {
  return { base32, pretty: base32.match(/.{1,4}/g)!.join(" "), uri: totp(base32, issuer, label).toString() };
}

export function totpStepAt(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code for a time, as an app shows it (tests and the demo play the app with this). */
export function totpCodeAt(base32: string, nowMs: number): string {
  return totp(base32).generate({ timestamp: nowMs });
}

/**
 * The time step a code belongs to, if it is valid within the window at `nowMs`;
 * null otherwise. Malformed codes are simply not valid.
 */
export function matchTotpStep(base32: string, code: string, nowMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totp(base32).validate({ token: code, timestamp: nowMs, window: TOTP_WINDOW_STEPS });
  return delta === null ? null : totpStepAt(nowMs) + delta;
}
