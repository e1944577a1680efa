/**
 * One-time codes a person reads off one screen and types into another
 * (pairing, transfer and recovery codes). Crockford's base32: 32 symbols, so each
 * character is 5 uniformly random bits, and no I, L, O or U, so nothing reads
 * as something else; on input O is taken as 0 and I or L as 1, as Crockford
 * decodes them.
 */
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const READ_AS: Record<string, string> = { O: "0", I: "1", L: "1" };

/** A random code of `length` symbols, shown in groups of `group` joined by hyphens. */
export function newHumanCode(length: number, group: number): string {
  const random = crypto.getRandomValues(new Uint8Array(length));
  let code = "";
  for (let index = 0; index < length; index++) {
    if (index > 0 && index % group === 0) code += "-";
    code += ALPHABET[random[index]! & 31];
  }
  return code;
}

/**
 * The code as stored (upper case, no separators), from what a person typed:
 * case, hyphens and spaces do not matter. Null when a character is not one a
 * code can hold.
 */
export function normalizeHumanCode(typed: string): string | null {
  let code = "";
  for (const character of typed.toUpperCase()) {
    if (character === "-" || character === " ") continue;
    const symbol = READ_AS[character] ?? character;
    if (!ALPHABET.includes(symbol)) return null;
    code += symbol;
  }
  return code.length > 0 ? code : null;
}
