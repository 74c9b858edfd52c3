import { type ServerType, serve } from "@hono/node-server";
import { createApp } from "./app.js";
import { openRuntime, type Runtime } from "./deps.js";
import { startBackgroundJobs } from "./jobs.js";
import type { Config } from "./lib/config.js";

export type RunningServer = {
  runtime: Runtime;
  server: ServerType;
  url: string;
  stop: () => Promise<void>;
};

export async function startServer(config: Config): Promise<RunningServer> {
  const runtime = await openRuntime(config);
  const app = createApp(runtime.deps);
  const jobs = config.runWorker ? startBackgroundJobs(runtime.deps) : undefined;
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve(
      {
        fetch: app.fetch,
        port: config.port,
        hostname: config.host,
        serverOptions: {
          // A client trickling its headers or body (one byte every few seconds) holds a connection for as
          // long as it likes unless these bound it; Node enforces them on its connection check, every second.
          headersTimeout: config.headersTimeoutMs,
          requestTimeout: config.requestTimeoutMs,
          connectionsCheckingInterval: 1_000,
        },
      },
      () => resolve(s),
    );
  });
  // Connections beyond this are closed as they arrive: memory per process stays bounded under a flood.
  server.maxConnections = config.maxConnections;
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://${config.host}:${port}`;
  let stopped = false;
  return {
    runtime,
    server,
    url,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await jobs?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.handle.close();
    },
  };
}
