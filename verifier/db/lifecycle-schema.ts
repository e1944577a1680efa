/** Ownership of devices, pairing codes, ownership history and the append-only audit log. */
export const LIFECYCLE_TABLES: string[] = [];
