import type { Client, Transaction } from "@libsql/client";
import { fromUtf8, utf8 } from "../../src/bytes.ts";
import { type KeyRing, openSecret, sealSecret } from "../../src/secrets/envelope.ts";
import { type TotpEnrolment, newTotpEnrolment } from "../../src/totp/totp-code.ts";

type Executor = Pick<Client | Transaction, "execute">;

/** Release operators: the people whose TOTP code the co-signer demands before it signs. */
export const OPERATOR_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
const TOTP_ISSUER = "SnapSeal co-signer";

const sealingContext = (name: string) => `cosigner:operator:${name}`;

/** The TOTP subject and the attempt-limit scope of an operator. */
export const operatorSubject = (name: string) => `operator:${name}`;

/** Adds an operator and returns the enrolment, to be shown once; null when the name is taken. */
export async function addOperator(db: Executor, ring: KeyRing, name: string, now: number): Promise<TotpEnrolment | null> {
  if (!OPERATOR_NAME.test(name)) throw new Error(`an operator name is 1-32 letters, digits, '.', '_' or '-', starting with a letter or digit`);
  const enrolment = newTotpEnrolment(TOTP_ISSUER, name);
  const inserted = await db.execute({
    sql: "INSERT INTO operators (name, sealed_totp_secret, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
    args: [name, await sealSecret(ring, utf8(enrolment.base32), sealingContext(name), now), now],
  });
  return inserted.rowsAffected === 1 ? enrolment : null;
}

/** The operator's TOTP secret (base32), or null for no such operator. */
export async function operatorTotpSecret(db: Executor, ring: KeyRing, name: string): Promise<string | null> {
  const row = (await db.execute({ sql: "SELECT sealed_totp_secret FROM operators WHERE name = ?", args: [name] })).rows[0];
  return row ? fromUtf8(await openSecret(ring, String(row.sealed_totp_secret), sealingContext(name))) : null;
}
