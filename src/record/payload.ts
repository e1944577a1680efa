import { type CborValue, encodeCanonical } from "../cbor/canonical.ts";
import { ProvenanceError } from "../errors.ts";
import { shapeOf } from "../cbor/shape.ts";

const shape = shapeOf("payload_malformed");

/** Where the pixels came from: only "sensor" captures may be called captured by the camera. */
export type CaptureSource = "sensor" | "import";

export interface CaptureMeta {
  model: string;
  firmware: string;
  serial: string;
  width: number;
  height: number;
  /** EXIF orientation 1–8, when the camera knows it. */
  orientation?: number;
  /** Position in 1e-7 degrees (integers keep the encoding deterministic). */
  gps?: { lat: number; lon: number };
}

/** A server-signed lower bound for the capture time; see time-anchor.ts. */
export interface TimeAnchorToken {
  t: number;
  kid: Uint8Array;
  sig: Uint8Array;
}

export interface CapturePayload {
  v: 1;
  alg: "ES256";
  source: CaptureSource;
  contentHash: Uint8Array;
  /** dHash of the picture, to tell an edited picture from a different one. */
  fingerprint: Uint8Array;
  capturedAt: number;
  nonce: Uint8Array;
  counter: number;
  prev: Uint8Array;
  anchor?: TimeAnchorToken;
  meta: CaptureMeta;
}

export const PAYLOAD_MAX_BYTES = 4096;
export const GENESIS_PREV = new Uint8Array(32);

export function encodePayload(payload: CapturePayload): Uint8Array {
  const meta = new Map<string, CborValue>([
    ["model", payload.meta.model],
    ["firmware", payload.meta.firmware],
    ["serial", payload.meta.serial],
    ["width", payload.meta.width],
    ["height", payload.meta.height],
  ]);
  if (payload.meta.orientation !== undefined) meta.set("orientation", payload.meta.orientation);
  if (payload.meta.gps) meta.set("gps", new Map([["lat", payload.meta.gps.lat], ["lon", payload.meta.gps.lon]]));
  const map = new Map<string, CborValue>([
    ["v", payload.v],
    ["alg", payload.alg],
    ["source", payload.source],
    ["contentHash", payload.contentHash],
    ["fingerprint", payload.fingerprint],
    ["capturedAt", payload.capturedAt],
    ["nonce", payload.nonce],
    ["counter", payload.counter],
    ["prev", payload.prev],
    ["meta", meta],
  ]);
  if (payload.anchor) {
    map.set("anchor", new Map<string, CborValue>([["t", payload.anchor.t], ["kid", payload.anchor.kid], ["sig", payload.anchor.sig]]));
  }
  return encodeCanonical(map);
}

export function decodePayload(bytes: Uint8Array): CapturePayload {
  const value = shape.decode(bytes, PAYLOAD_MAX_BYTES);
  const map = shape.map(value, "payload", ["v", "alg", "source", "contentHash", "fingerprint", "capturedAt", "nonce", "counter", "prev", "meta"], ["anchor"]);
  if (map.get("v") !== 1) throw new ProvenanceError("payload_malformed", "v must be 1");
  if (map.get("alg") !== "ES256") throw new ProvenanceError("payload_malformed", "alg must be ES256");
  const source = map.get("source");
  if (source !== "sensor" && source !== "import") throw new ProvenanceError("payload_malformed", "source must be sensor or import");
  const payload: CapturePayload = {
    v: 1,
    alg: "ES256",
    source,
    contentHash: shape.bytes(map.get("contentHash"), "contentHash", { exactly: 32 }),
    fingerprint: shape.bytes(map.get("fingerprint"), "fingerprint", { exactly: 8 }),
    capturedAt: shape.uint(map.get("capturedAt"), "capturedAt"),
    nonce: shape.bytes(map.get("nonce"), "nonce", { exactly: 16 }),
    counter: shape.uint(map.get("counter"), "counter", 0xffffffff),
    prev: shape.bytes(map.get("prev"), "prev", { exactly: 32 }),
    meta: decodeMeta(map.get("meta")!),
  };
  const anchor = map.get("anchor");
  if (anchor !== undefined) {
    const anchorMap = shape.map(anchor, "anchor", ["t", "kid", "sig"]);
    payload.anchor = {
      t: shape.uint(anchorMap.get("t"), "anchor.t"),
      kid: shape.bytes(anchorMap.get("kid"), "anchor.kid", { exactly: 8 }),
      sig: shape.bytes(anchorMap.get("sig"), "anchor.sig", { max: 80 }),
    };
  }
  return payload;
}

function decodeMeta(value: CborValue): CaptureMeta {
  const map = shape.map(value, "meta", ["model", "firmware", "serial", "width", "height"], ["orientation", "gps"]);
  const meta: CaptureMeta = {
    model: shape.text(map.get("model"), "meta.model"),
    firmware: shape.text(map.get("firmware"), "meta.firmware"),
    serial: shape.text(map.get("serial"), "meta.serial"),
    width: shape.uint(map.get("width"), "meta.width", 65535),
    height: shape.uint(map.get("height"), "meta.height", 65535),
  };
  const orientation = map.get("orientation");
  if (orientation !== undefined) {
    meta.orientation = shape.uint(orientation, "meta.orientation", 8);
    if (meta.orientation < 1) throw new ProvenanceError("payload_malformed", "meta.orientation must be 1-8");
  }
  const gps = map.get("gps");
  if (gps !== undefined) {
    const gpsMap = shape.map(gps, "meta.gps", ["lat", "lon"]);
    meta.gps = { lat: shape.int(gpsMap.get("lat"), "meta.gps.lat", 900_000_000), lon: shape.int(gpsMap.get("lon"), "meta.gps.lon", 1_800_000_000) };
  }
  return meta;
}
