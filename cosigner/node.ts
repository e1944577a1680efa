import { getConnInfo } from "@hono/node-server/conninfo";
import { type LoopbackServer, serveOnLoopback } from "../edge/serve-loopback.ts";
import { type CosignerRuntime, type StartedCosigner, startCosigner } from "./start.ts";

export interface NodeCosigner extends StartedCosigner, LoopbackServer {}

/** Serves the co-signer with @hono/node-server on 127.0.0.1. Port 0 picks a free one. */
export async function serveCosigner(
  databaseUrl: string,
  secretKeysSpec: string | undefined,
  port: number,
  runtime: Omit<CosignerRuntime, "peerAddress"> = {},
): Promise<NodeCosigner> {
  const started = await startCosigner(databaseUrl, secretKeysSpec, { ...runtime, peerAddress: (c) => getConnInfo(c).remote.address });
  return { ...started, ...(await serveOnLoopback(started.app.fetch, port, started.close)) };
}
