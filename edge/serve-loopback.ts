import { type ServerType, serve } from "@hono/node-server";

export interface LoopbackServer {
  url: string;
  /** Stops listening, drops idle keep-alive sockets, then runs `onClosed`. */
  stop(): Promise<void>;
}

/** Serves a fetch handler with @hono/node-server on 127.0.0.1. Port 0 picks a free one. */
export async function serveOnLoopback(fetch: (request: Request) => Response | Promise<Response>, port: number, onClosed: () => void): Promise<LoopbackServer> {
  const server = await new Promise<ServerType>((resolve, reject) => {
    const listening = serve({ fetch, hostname: "127.0.0.1", port }, () => resolve(listening));
    // A taken port is an answer for the caller (EADDRINUSE), not an uncaught crash.
    listening.once("error", reject);
  });
  const address = server.address();
  const boundPort = typeof address === "object" && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${boundPort}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          onClosed();
          resolve();
        });
        // Keep-alive sockets would hold close() open; nothing is mid-request when we stop.
        if ("closeAllConnections" in server) server.closeAllConnections();
      }),
  };
}
