import type { Client, Row, Transaction } from "@libsql/client";

type Executor = Pick<Client | Transaction, "execute">;

export interface OwnerRecord {
  id: string;
  email: string;
  displayName: string;
  passwordHash: string;
  /** Sealed envelope of the TOTP secret: pending until totpEnrolledAt is set. */
  totpSecret: string | null;
  totpEnrolledAt: number | null;
  createdAt: number;
}

/** The context a TOTP secret is sealed under, so an envelope copied to another owner's row does not open. */
export function totpSecretContext(ownerId: string): string {
  return `snapseal:owner-totp:${ownerId}`;
}

/** The subject whose TOTP steps are used once (verifier/db/second-factor.ts). */
export function totpSubject(ownerId: string): string {
  return `owner:${ownerId}`;
}

/** Inserts an owner; false when the email address is taken (the UNIQUE constraint decides races). */
export async function insertOwner(db: Executor, owner: Omit<OwnerRecord, "totpSecret" | "totpEnrolledAt">): Promise<boolean> {
  const result = await db.execute({
    sql: `INSERT INTO owners (id, email, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (email) DO NOTHING`,
    args: [owner.id, owner.email, owner.displayName, owner.passwordHash, owner.createdAt],
  });
  return result.rowsAffected === 1;
}

export async function findOwnerByEmail(db: Executor, email: string): Promise<OwnerRecord | null> {
  const row = (await db.execute({ sql: "SELECT * FROM owners WHERE email = ?", args: [email] })).rows[0];
  return row ? toOwner(row) : null;
}

export async function findOwner(db: Executor, id: string): Promise<OwnerRecord | null> {
  const row = (await db.execute({ sql: "SELECT * FROM owners WHERE id = ?", args: [id] })).rows[0];
  return row ? toOwner(row) : null;
}

/** Replaces the hash only if it is still the one that was checked, so a concurrent change is not overwritten. */
export async function replacePasswordHash(db: Executor, ownerId: string, checked: string, replacement: string): Promise<void> {
  await db.execute({ sql: "UPDATE owners SET password_hash = ? WHERE id = ? AND password_hash = ?", args: [replacement, ownerId, checked] });
}

/** Stores a new pending TOTP secret; false when the owner has enrolled already. */
export async function startTotpEnrolment(db: Executor, ownerId: string, sealedSecret: string): Promise<boolean> {
  const result = await db.execute({
    sql: "UPDATE owners SET totp_secret = ? WHERE id = ? AND totp_enrolled_at IS NULL",
    args: [sealedSecret, ownerId],
  });
  return result.rowsAffected === 1;
}

/**
 * Makes the pending secret the owner's second factor, if it is still the one
 * whose code was checked and no enrolment completed in the meantime.
 */
export async function completeTotpEnrolment(db: Executor, ownerId: string, sealedSecret: string, now: number): Promise<boolean> {
  const result = await db.execute({
    sql: "UPDATE owners SET totp_enrolled_at = ? WHERE id = ? AND totp_secret = ? AND totp_enrolled_at IS NULL",
    args: [now, ownerId, sealedSecret],
  });
  return result.rowsAffected === 1;
}

export async function insertRecoveryCodes(db: Executor, ownerId: string, codeHashes: Uint8Array[], now: number): Promise<void> {
  for (const hash of codeHashes) {
    await db.execute({ sql: "INSERT INTO recovery_codes (owner_id, code_hash, created_at) VALUES (?, ?, ?)", args: [ownerId, hash, now] });
  }
}

/** Spends a recovery code; false when it is not the owner's or was spent already. */
export async function spendRecoveryCode(db: Executor, ownerId: string, codeHash: Uint8Array, now: number): Promise<boolean> {
  const result = await db.execute({
    sql: "UPDATE recovery_codes SET used_at = ? WHERE owner_id = ? AND code_hash = ? AND used_at IS NULL",
    args: [now, ownerId, codeHash],
  });
  return result.rowsAffected === 1;
}

export async function recoveryCodesLeft(db: Executor, ownerId: string): Promise<number> {
  const row = (await db.execute({ sql: "SELECT COUNT(*) AS left FROM recovery_codes WHERE owner_id = ? AND used_at IS NULL", args: [ownerId] })).rows[0]!;
  return Number(row.left);
}

const nullableNumber = (value: unknown): number | null => (value === null ? null : Number(value));

function toOwner(row: Row): OwnerRecord {
  return {
    id: String(row.id),
    email: String(row.email),
    displayName: String(row.display_name),
    passwordHash: String(row.password_hash),
    totpSecret: row.totp_secret === null ? null : String(row.totp_secret),
    totpEnrolledAt: nullableNumber(row.totp_enrolled_at),
    createdAt: Number(row.created_at),
  };
}
