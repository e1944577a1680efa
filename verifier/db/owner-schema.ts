import { ACCOUNT_TABLES } from "./account-schema.ts";
import { LIFECYCLE_TABLES } from "./lifecycle-schema.ts";
import { SECOND_FACTOR_TABLES } from "./second-factor.ts";

/** Migration 2: owners, their sessions and second factor, pairing, ownership and the audit log. */
export const OWNER_TABLES: string[] = [...SECOND_FACTOR_TABLES, ...ACCOUNT_TABLES, ...LIFECYCLE_TABLES];
