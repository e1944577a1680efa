/** Owner accounts, sessions, TOTP enrolment and recovery codes. */
export const ACCOUNT_TABLES: string[] = [];
