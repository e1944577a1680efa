/**
 * Firmware versions are MAJOR.MINOR.PATCH (semantic versioning's core, without
 * pre-release or build parts): numbers without leading zeros, compared
 * numerically, so "1.10.0" is newer than "1.9.0" and "1.0.0" equals only itself.
 */
const VERSION = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;

export type Version = readonly [number, number, number];

export function parseVersion(text: string): Version | null {
  const match = VERSION.exec(text);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : null;
}

export function isVersion(text: string): boolean {
  return VERSION.test(text);
}

/** Negative when a is older than b, zero when equal, positive when newer. Both must be versions. */
export function compareVersions(a: string, b: string): number {
  const left = parseVersion(a);
  const right = parseVersion(b);
  if (!left || !right) throw new TypeError(`not a MAJOR.MINOR.PATCH version: ${left ? b : a}`);
  for (let index = 0; index < 3; index++) if (left[index] !== right[index]) return left[index]! - right[index]!;
  return 0;
}

/** A text form that sorts like the versions do (each part zero-padded), for database ordering. */
export function versionSortKey(text: string): string {
  const version = parseVersion(text);
  if (!version) throw new TypeError(`not a MAJOR.MINOR.PATCH version: ${text}`);
  return version.map((part) => String(part).padStart(9, "0")).join(".");
}
