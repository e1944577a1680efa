import { parseArgs } from "node:util";

/** Bad usage of a command: main.ts prints the message with a pointer to --help and exits 64. */
export class UsageError extends Error {}

export function options<T extends Record<string, { type: "string" | "boolean"; multiple?: boolean }>>(args: string[], spec: T, positionals = false) {
  try {
    return parseArgs({ args, options: spec, allowPositionals: positionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function required(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== "string" || value === "") throw new UsageError(`--${flag} is required`);
  return value;
}

export function positiveInteger(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number <= 0) throw new UsageError(`--${flag} must be a positive integer`);
  return number;
}
