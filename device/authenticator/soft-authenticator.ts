import type { Client, Transaction } from "@libsql/client";
import { concatBytes, utf8 } from "../../src/bytes.ts";
import { ECDSA_P256, signEs256 } from "../../src/crypto/es256.ts";
import { sha256 } from "../../src/crypto/sha256.ts";
import { GENESIS_PREV } from "../../src/record/payload.ts";
import { encodeAttestationObject } from "../../src/webauthn/attestation-object.ts";
import { Flags, encodeAuthenticatorData } from "../../src/webauthn/authenticator-data.ts";
import { COSE_ALG_ES256, encodeCoseP256 } from "../../src/webauthn/cose-key.ts";


/** UP and UV stay clear: a camera signs with nobody present to test for. */
const ASSERTION_FLAGS = 0;

export interface AuthenticatorIdentity {
  serial: string;
  model: string;
  firmware: string;
  aaguid: Uint8Array;
  attestationCertificate: Uint8Array;
}

/**
 * A software stand-in for the camera's secure element. Private keys live in the
 * camera database and are only ever imported as non-extractable CryptoKeys;
 * nothing here returns them. The signature counter is advanced inside the
 * caller's transaction, so it commits with the capture it signed or not at all.
 */
export class SoftAuthenticator {
  private readonly signingKeys = new Map<string, Promise<CryptoKey>>();

  private constructor(
    private readonly db: Client,
    readonly identity: AuthenticatorIdentity,
  ) {}

  static async open(db: Client): Promise<SoftAuthenticator> {
    const row = (await db.execute("SELECT serial, model, firmware, aaguid, attestation_certificate FROM identity WHERE id = 1")).rows[0];
    if (!row) throw new Error("this camera has not been manufactured (no attestation identity)");
    return new SoftAuthenticator(db, {
      serial: String(row.serial),
      model: String(row.model),
      firmware: String(row.firmware),
      aaguid: new Uint8Array(row.aaguid as ArrayBuffer),
      attestationCertificate: new Uint8Array(row.attestation_certificate as ArrayBuffer),
    });
  }

  /** authenticatorMakeCredential with packed attestation by the per-device attestation key (CTAP2 §6.1, WebAuthn L3 §8.2). */
  async makeCredential(options: { rpId: string; origin: string; verifierUrl: string; clientDataHash: Uint8Array }): Promise<{
    credentialId: Uint8Array;
    attestationObject: Uint8Array;
  }> {
    const keyPair = (await crypto.subtle.generateKey(ECDSA_P256, true, ["sign", "verify"])) as CryptoKeyPair;
    const publicPoint = new Uint8Array(await crypto.subtle.exportKey("raw", keyPair.publicKey));
    const privateKey = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keyPair.privateKey));
    const credentialId = crypto.getRandomValues(new Uint8Array(32));
    const authenticatorData = encodeAuthenticatorData({
      rpIdHash: await sha256(utf8(options.rpId)),
      flags: ASSERTION_FLAGS | Flags.AT,
      signCount: 0,
      attestedCredentialData: { aaguid: this.identity.aaguid, credentialId, credentialPublicKey: encodeCoseP256(publicPoint) },
    });
    const attestationKey = await this.attestationKey();
    const sig = await signEs256(attestationKey, concatBytes(authenticatorData, options.clientDataHash));
    await this.db.execute({
      sql: `INSERT INTO credentials (credential_id, rp_id, origin, verifier_url, private_key, last_record_hash, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)`,
      args: [credentialId, options.rpId, options.origin, options.verifierUrl, privateKey, GENESIS_PREV, Date.now()],
    });
    const attestationObject = encodeAttestationObject({
      fmt: "packed",
      attStmt: { alg: COSE_ALG_ES256, sig, x5c: [this.identity.attestationCertificate] },
      authData: authenticatorData,
    });
    return { credentialId, attestationObject };
  }

  /**
   * authenticatorGetAssertion for an unsolicited capture assertion: advances the
   * counter in `tx`, asks for the client data hash bound to that counter, and signs.
   */
  async assert(
    tx: Transaction,
    credentialId: Uint8Array,
    clientDataHashFor: (signCount: number) => Promise<Uint8Array>,
  ): Promise<{ authenticatorData: Uint8Array; signature: Uint8Array }> {
    const row = (
      await tx.execute({
        sql: "UPDATE credentials SET sign_count = sign_count + 1 WHERE credential_id = ? RETURNING sign_count, rp_id",
        args: [credentialId],
      })
    ).rows[0];
    if (!row) throw new Error("unknown credential");
    const signCount = Number(row.sign_count);
    const authenticatorData = encodeAuthenticatorData({
      rpIdHash: await sha256(utf8(String(row.rp_id))),
      flags: ASSERTION_FLAGS,
      signCount,
    });
    const clientDataHash = await clientDataHashFor(signCount);
    const signature = await signEs256(await this.credentialKey(tx, credentialId), concatBytes(authenticatorData, clientDataHash));
    return { authenticatorData, signature };
  }

  private async attestationKey(): Promise<CryptoKey> {
    const row = (await this.db.execute("SELECT attestation_key FROM identity WHERE id = 1")).rows[0]!;
    return importSigningKey(new Uint8Array(row.attestation_key as ArrayBuffer));
  }

  private credentialKey(tx: Transaction, credentialId: Uint8Array): Promise<CryptoKey> {
    const id = credentialId.join(",");
    let key = this.signingKeys.get(id);
    if (!key) {
      key = tx
        .execute({ sql: "SELECT private_key FROM credentials WHERE credential_id = ?", args: [credentialId] })
        .then((result) => importSigningKey(new Uint8Array(result.rows[0]!.private_key as ArrayBuffer)));
      key.catch(() => this.signingKeys.delete(id));
      this.signingKeys.set(id, key);
    }
    return key;
  }
}

function importSigningKey(pkcs8: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("pkcs8", pkcs8 as Uint8Array<ArrayBuffer>, ECDSA_P256, false, ["sign"]);
}
