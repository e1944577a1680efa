import { type ServerType, serve } from "@hono/node-server";
import { type StartedCosigner, startCosigner } from "./start.ts";

export interface NodeCosigner extends StartedCosigner {
  url: string;
  stop(): Promise<void>;
}

/** Serves the co-signer with @hono/node-server on 127.0.0.1. Port 0 picks a free one. */
export async function serveCosigner(databaseUrl: string, secretKeysSpec: string | undefined, port: number, runtime: { now?: () => number } = {}): Promise<NodeCosigner> {
  const started = await startCosigner(databaseUrl, secretKeysSpec, runtime);
  const server = await new Promise<ServerType>((resolve) => {
    const listening = serve({ fetch: started.app.fetch, hostname: "127.0.0.1", port }, () => resolve(listening));
  });
  const address = server.address();
  const boundPort = typeof address === "object" && address ? address.port : port;
  return {
    ...started,
    url: `http://127.0.0.1:${boundPort}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          started.close();
          resolve();
        });
        if ("closeAllConnections" in server) server.closeAllConnections();
      }),
  };
}
