import type { Context } from "hono";
import { clearFailures, recordFailure, throttledFor } from "../db/second-factor.ts";
import type { AppEnv } from "../services.ts";
import { failThrottled } from "../validate.ts";
import { clientAddress } from "./client-address.ts";

/**
 * Failed passwords and codes are counted twice, against the account and
 * against the client address, in the database so that every instance sees
 * them: one account cannot be guessed at from many addresses, nor many
 * accounts from one address.
 */
export interface AttemptScopes {
  account: string;
  address: string;
}

export function attemptScopes<E extends AppEnv>(c: Context<E>, account: string): AttemptScopes {
  return { account: `account:${account}`, address: `address:${clientAddress(c)}` };
}

/** Refuses with 429 and Retry-After while either scope is over its limit; checked before any secret is. */
export async function refuseWhileThrottled<E extends AppEnv>(c: Context<E>, scopes: AttemptScopes): Promise<void> {
  const { db, config, now } = c.var.services;
  refuseFor(c, Math.max(await throttledFor(db, scopes.account, config.accountAttemptLimit, now()), await throttledFor(db, scopes.address, config.addressAttemptLimit, now())));
}

/**
 * Refuses a sign-up with 429 while the client address is over its sign-up
 * limit, and counts it otherwise. Every sign-up counts, whether it makes an
 * account or finds the email address taken: making accounts in bulk and
 * probing which addresses have one draw on the same budget. It is counted
 * before the password is hashed, so the hashing cost is throttled too.
 */
export async function admitSignUp<E extends AppEnv>(c: Context<E>): Promise<void> {
  const { db, config, now } = c.var.services;
  const scope = `signup:${clientAddress(c)}`;
  refuseFor(c, await throttledFor(db, scope, config.signUpLimit, now()));
  await recordFailure(db, scope, config.signUpLimit, now());
}

function refuseFor<E extends AppEnv>(c: Context<E>, waitMs: number): void {
  if (waitMs > 0) failThrottled(c, "too_many_attempts", waitMs);
}

export async function countFailure<E extends AppEnv>(c: Context<E>, scopes: AttemptScopes): Promise<void> {
  const { db, config, now } = c.var.services;
  await recordFailure(db, scopes.account, config.accountAttemptLimit, now());
  await recordFailure(db, scopes.address, config.addressAttemptLimit, now());
}

/**
 * A full sign-in clears the account's count, not the address's: one account
 * someone can sign in to must not reset the guessing budget of an address.
 */
export async function clearAccountFailures<E extends AppEnv>(c: Context<E>, scopes: AttemptScopes): Promise<void> {
  await clearFailures(c.var.services.db, scopes.account);
}
