import { utf8 } from "../../src/bytes.ts";
import { sha256 } from "../../src/crypto/sha256.ts";
import { newHumanCode } from "../../src/pairing/human-code.ts";

/**
 * One-time recovery codes: 16 symbols of Crockford's base32 (80 random bits)
 * in groups of four, written in lower case. With that much entropy a plain
 * SHA-256 is a sound way to store them: there is no dictionary to search.
 */
export const RECOVERY_CODE_COUNT = 10;
const LENGTH = 16;
const NORMALISED = /^[0-9a-hjkmnp-tv-z]{16}$/;

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => newHumanCode(LENGTH, 4).toLowerCase());
}

/**
 * The code as stored and compared: lower case, without the separators a
 * person may type or leave out. Unlike a pairing code, a letter the alphabet
 * lacks is refused rather than read as a digit: a recovery code is copied
 * from where it was saved, not read off a screen.
 */
export function normaliseRecoveryCode(typed: string): string | null {
  const code = typed.toLowerCase().replace(/[\s-]/g, "");
  return NORMALISED.test(code) ? code : null;
}

export function recoveryCodeHash(normalised: string): Promise<Uint8Array> {
  return sha256(utf8(`snapseal-recovery:${normalised}`));
}
