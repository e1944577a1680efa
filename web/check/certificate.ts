// @peculiar/x509 declares its ASN.1 schemas with decorators that need the Reflect metadata API.
import "reflect-metadata";
import { X509Certificate } from "@peculiar/x509";
import { fromBase64Url } from "../../src/bytes.ts";
import { h } from "../shared/dom.ts";

/** Fills a facts list with what the attestation certificate says of the camera, then the certificate itself as PEM. */
export function describeCertificate(base64url: string, into: HTMLElement): void {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(fromBase64Url(base64url) as Uint8Array<ArrayBuffer>);
  } catch (error) {
    into.append(h("dt", {}, "certificate"), h("dd", {}, `cannot be parsed: ${error instanceof Error ? error.message : String(error)}`));
    return;
  }
  const rows: [string, string][] = [
    ["subject", certificate.subject],
    ["issuer", certificate.issuer],
    ["serial number", certificate.serialNumber],
    ["valid", `${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()}`],
    ["key", `${certificate.publicKey.algorithm.name} ${"namedCurve" in certificate.publicKey.algorithm ? String(certificate.publicKey.algorithm.namedCurve) : ""}`.trim()],
  ];
  for (const [term, value] of rows) into.append(h("dt", {}, term), h("dd", { class: "mono" }, value));
  into.after(h("pre", { class: "json", id: "certificate-pem" }, certificate.toString("pem")));
}
