import { utf8 } from "../../src/bytes.ts";
import { sha256 } from "../../src/crypto/sha256.ts";

/**
 * One-time recovery codes: 80 random bits each, written as 16 characters of
 * Crockford's base32 in groups of four (no i, l, o, u to misread). With that
 * much entropy a plain SHA-256 is a sound way to store them: there is no
 * dictionary to search.
 */
export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const NORMALISED = /^[0-9a-hjkmnp-tv-z]{16}$/;

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = crypto.getRandomValues(new Uint8Array(10));
    let bits = 0n;
    for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
    let code = "";
    for (let index = 15; index >= 0; index--) code += ALPHABET[Number((bits >> BigInt(index * 5)) & 31n)];
    return code.match(/.{4}/g)!.join("-");
  });
}

/** The code as stored and compared: lower case, without the separators a person may type or leave out. */
export function normaliseRecoveryCode(typed: string): string | null {
  const code = typed.toLowerCase().replace(/[\s-]/g, "");
  return NORMALISED.test(code) ? code : null;
}

export function recoveryCodeHash(normalised: string): Promise<Uint8Array> {
  return sha256(utf8(`snapseal-recovery:${normalised}`));
}
