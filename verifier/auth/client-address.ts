import type { Context } from "hono";
import type { AppEnv, PeerAddress } from "../services.ts";

const MAX_CHARS = 64;

/**
 * The address failed attempts are counted against: the connection's peer, as
 * the runtime reports it. X-Forwarded-For is anyone's to write, so it counts
 * only when configured (SNAPSEAL_TRUST_PROXY), and then only its last entry,
 * the one the proxy in front of the verifier appended.
 */
export function clientAddress<E extends AppEnv>(c: Context<E>): string {
  const { config, peerAddress } = c.var.services;
  if (config.trustProxy) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",").at(-1)?.trim();
    if (forwarded) return forwarded.slice(0, MAX_CHARS);
  }
  return peerAddressOf(c, peerAddress);
}

/** The connection's peer as the runtime reports it; requests without a socket (app.request) share one budget. */
export function peerAddressOf(c: Context, peerAddress: PeerAddress | undefined): string {
  return peerAddress?.(c)?.slice(0, MAX_CHARS) ?? "unknown";
}
