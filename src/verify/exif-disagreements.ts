import { readExifTags } from "../jpeg/exif-record.ts";
import type { CapturePayload } from "../record/payload.ts";

/**
 * Visible Exif is anyone's to edit without touching the seal (that is what
 * keeps a photo authentic through metadata tools). Where it contradicts what
 * the camera signed, or claims what the camera never signed (a location, say),
 * the report says so: the signed value is the one the camera vouches for.
 */
export interface ExifDisagreement {
  field: "model" | "orientation" | "gps";
  visible: string;
  signed: string | null;
}

/** 1e-7 degrees per unit of the signed GPS fields; visible GPS is rational degrees. */
const GPS_UNIT = 1e-7;
const GPS_TOLERANCE_DEGREES = 1e-4;

export function exifDisagreements(jpeg: Uint8Array, payload: CapturePayload): ExifDisagreement[] {
  const tags = readExifTags(jpeg) ?? {};
  const found: ExifDisagreement[] = [];
  const model = text(tags.Model);
  if (model !== undefined && model !== payload.meta.model) found.push({ field: "model", visible: model, signed: payload.meta.model });
  const orientation = number(tags.Orientation);
  if (orientation !== undefined && payload.meta.orientation !== undefined && orientation !== payload.meta.orientation) {
    found.push({ field: "orientation", visible: String(orientation), signed: String(payload.meta.orientation) });
  }
  const gps = visibleGps(tags);
  if (gps) {
    const signed = payload.meta.gps;
    const signedDegrees = signed ? { lat: signed.lat * GPS_UNIT, lon: signed.lon * GPS_UNIT } : null;
    const agrees =
      signedDegrees !== null &&
      Math.abs(signedDegrees.lat - gps.lat) <= GPS_TOLERANCE_DEGREES &&
      Math.abs(signedDegrees.lon - gps.lon) <= GPS_TOLERANCE_DEGREES;
    if (!agrees) {
      found.push({ field: "gps", visible: formatGps(gps), signed: signedDegrees ? formatGps(signedDegrees) : null });
    }
  }
  return found;
}

function text(tag: unknown): string | undefined {
  const description = (tag as { description?: unknown } | undefined)?.description;
  return typeof description === "string" ? description.trim() : undefined;
}

function number(tag: unknown): number | undefined {
  const value = (tag as { value?: unknown } | undefined)?.value;
  return typeof value === "number" ? value : undefined;
}

/** exifreader gives GPS coordinates as unsigned decimal degrees in `description`, the hemisphere in the Ref tags. */
function visibleGps(tags: Record<string, unknown>): { lat: number; lon: number } | null {
  const lat = (tags.GPSLatitude as { description?: unknown } | undefined)?.description;
  const lon = (tags.GPSLongitude as { description?: unknown } | undefined)?.description;
  if (typeof lat !== "number" || typeof lon !== "number") return null;
  const south = /^S/i.test(refOf(tags.GPSLatitudeRef));
  const west = /^W/i.test(refOf(tags.GPSLongitudeRef));
  return { lat: south ? -lat : lat, lon: west ? -lon : lon };
}

function refOf(tag: unknown): string {
  const value = (tag as { value?: unknown } | undefined)?.value;
  return Array.isArray(value) && typeof value[0] === "string" ? value[0] : "";
}

function formatGps({ lat, lon }: { lat: number; lon: number }): string {
  return `${lat.toFixed(5)}, ${lon.toFixed(5)}`;
}
