import type { Client, InStatement, Row } from "@libsql/client";
import { fromBase64Url, toBase64Url } from "../../src/bytes.ts";
import type { RegisteredCredential } from "../../src/verify/verify-capture.ts";
import { GENESIS_PREV } from "../../src/record/payload.ts";

export interface StoredCredential extends RegisteredCredential {
  id: string;
  coseKey: Uint8Array;
  aaguid: Uint8Array;
  serial: string;
  model: string | null;
  attestationIssuer: string;
  attestationCertificate: Uint8Array;
  registeredAt: number;
  lastCounter: number;
  lastRecordHash: Uint8Array;
  flaggedAt: number | null;
  flagReason: string | null;
}

export function credentialKey(credentialId: Uint8Array): string {
  return toBase64Url(credentialId);
}

export async function findCredential(db: Pick<Client, "execute">, id: string): Promise<StoredCredential | null> {
  const row = (
    await db.execute({
      sql: `SELECT c.*, EXISTS (SELECT 1 FROM reregistrations r WHERE r.credential_id = c.id AND r.decision IS NULL) AS approval_pending
            FROM credentials c WHERE c.id = ?`,
      args: [id],
    })
  ).rows[0];
  return row ? toCredential(row) : null;
}

export function insertCredential(credential: {
  credentialId: Uint8Array;
  publicKey: Uint8Array;
  coseKey: Uint8Array;
  rpId: string;
  origin: string;
  aaguid: Uint8Array;
  serial: string;
  model: string | null;
  attestationCertificate: Uint8Array;
  attestationIssuer: string;
  registeredAt: number;
}): InStatement {
  return {
    sql: `INSERT INTO credentials (id, public_key, cose_key, rp_id, origin, aaguid, serial, model, attestation_certificate,
            attestation_issuer, registered_at, last_record_hash)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      credentialKey(credential.credentialId),
      credential.publicKey,
      credential.coseKey,
      credential.rpId,
      credential.origin,
      credential.aaguid,
      credential.serial,
      credential.model,
      credential.attestationCertificate,
      credential.attestationIssuer,
      credential.registeredAt,
      GENESIS_PREV,
    ],
  };
}

const blob = (value: unknown): Uint8Array => new Uint8Array(value as ArrayBuffer);
const nullableNumber = (value: unknown): number | null => (value === null ? null : Number(value));

function toCredential(row: Row): StoredCredential {
  return {
    id: String(row.id),
    credentialId: fromBase64Url(String(row.id)),
    publicKey: blob(row.public_key),
    coseKey: blob(row.cose_key),
    rpId: String(row.rp_id),
    origin: String(row.origin),
    aaguid: blob(row.aaguid),
    serial: String(row.serial),
    model: row.model === null ? null : String(row.model),
    attestationCertificate: blob(row.attestation_certificate),
    attestationIssuer: String(row.attestation_issuer),
    registeredAt: Number(row.registered_at),
    lastCounter: Number(row.last_counter),
    lastRecordHash: blob(row.last_record_hash),
    flaggedAt: nullableNumber(row.flagged_at),
    flagReason: row.flag_reason === null ? null : String(row.flag_reason),
    revokedAt: nullableNumber(row.revoked_at),
    approvalPending: Number(row.approval_pending) === 1,
  };
}
