/** Migration 3: firmware releases the verifier distributes. */
export const FIRMWARE_TABLES: string[] = [];
