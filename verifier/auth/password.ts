import { scryptAsync } from "@noble/hashes/scrypt.js";
import { bytesEqual, fromBase64Url, toBase64Url, utf8 } from "../../src/bytes.ts";

/**
 * Owner passwords, hashed with scrypt (memory-hard: 2^ln blocks of 128·r
 * bytes; ln 15 is 32 MiB and about a third of a second). The stored string
 * carries its parameters and salt, `$scrypt$ln=15,r=8,p=1$<salt>$<hash>`
 * (base64url), so the cost can be raised later: a hash below the configured
 * cost is re-hashed at the owner's next sign-in.
 */
interface ScryptParams {
  ln: number;
  r: number;
  p: number;
}

const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const STORED = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]{22})\$([A-Za-z0-9_-]{43})$/;

export async function hashPassword(password: string, costLog2: number): Promise<string> {
  const params = { ln: costLog2, r: BLOCK_SIZE, p: PARALLELISM };
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, params);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

export interface PasswordCheck {
  matches: boolean;
  /** The stored hash is cheaper than the configured cost: store a new one now that the password is known. */
  needsRehash: boolean;
}

export async function verifyPassword(password: string, stored: string, costLog2: number): Promise<PasswordCheck> {
  const match = STORED.exec(stored);
  if (!match) throw new Error("stored password hash is not in the $scrypt$ format");
  const params = { ln: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  const derived = await derive(password, fromBase64Url(match[4]!), params);
  return {
    matches: bytesEqual(derived, fromBase64Url(match[5]!)),
    needsRehash: params.ln < costLog2 || params.r < BLOCK_SIZE || params.p < PARALLELISM,
  };
}

const decoys = new Map<number, Promise<string>>();

/**
 * Does the work of a real check against a hash of nothing, so a sign-in for an
 * unknown address takes as long as one with a wrong password.
 */
export async function verifyAgainstDecoy(password: string, costLog2: number): Promise<void> {
  let decoy = decoys.get(costLog2);
  if (!decoy) decoys.set(costLog2, (decoy = hashPassword(toBase64Url(crypto.getRandomValues(new Uint8Array(16))), costLog2)));
  await verifyPassword(password, await decoy, costLog2);
}

function derive(password: string, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  // NFKC: the same password typed on two keyboards (composed or not) hashes the same.
  return scryptAsync(utf8(password.normalize("NFKC")), salt, { N: 2 ** params.ln, r: params.r, p: params.p, dkLen: HASH_BYTES });
}
