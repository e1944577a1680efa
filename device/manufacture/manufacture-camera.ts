import { existsSync } from "node:fs";
import { utf8 } from "../../src/bytes.ts";
import { sha256 } from "../../src/crypto/sha256.ts";
import type { KeySet } from "../../src/firmware/key-set.ts";
import { isVersion } from "../../src/firmware/version.ts";
import { openCameraDb } from "../camera-db.ts";
import { recordFactoryFirmware } from "../firmware/firmware-db.ts";
import { issueAttestationCertificate } from "./attestation-certificate.ts";
import type { VendorCa } from "./vendor-ca.ts";

export interface ManufactureOptions {
  dir: string;
  serial: string;
  model: string;
  firmware: string;
  /** The firmware key set (vendor release key and co-signer key) the camera will install updates by. */
  firmwareKeys?: KeySet;
}

/** The AAGUID names the authenticator model, as in FIDO metadata: one per camera model. */
export async function aaguidForModel(model: string): Promise<Uint8Array> {
  return (await sha256(utf8(`snapseal/aaguid/${model}`))).slice(0, 16);
}

/**
 * The factory step: burn a unique attestation key and certificate, naming this
 * camera's serial number, into a fresh camera's secure element.
 */
export async function manufactureCamera(ca: VendorCa, options: ManufactureOptions): Promise<void> {
  if (existsSync(`${options.dir}/camera.db`)) throw new Error(`${options.dir} already holds a camera`);
  if (options.firmwareKeys && !isVersion(options.firmware)) throw new Error(`a camera that takes firmware updates needs a MAJOR.MINOR.PATCH firmware version, not ${options.firmware}`);
  const aaguid = await aaguidForModel(options.model);
  const issued = await issueAttestationCertificate(ca, { serial: options.serial, model: options.model, aaguid });
  const db = await openCameraDb(options.dir);
  const tx = await db.transaction("write");
  try {
    await tx.execute({
      sql: `INSERT INTO identity (id, serial, model, firmware, aaguid, attestation_key, attestation_certificate, manufactured_at)
            VALUES (1, ?, ?, ?, ?, ?, ?, ?)`,
      args: [options.serial, options.model, options.firmware, aaguid, issued.privateKeyPkcs8, issued.certificate, Date.now()],
    });
    if (options.firmwareKeys) await recordFactoryFirmware(tx, options.firmwareKeys, options.firmware, Date.now());
    await tx.commit();
  } finally {
    tx.close();
    db.close();
  }
}
