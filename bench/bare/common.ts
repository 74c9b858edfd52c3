import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import postgres from "postgres";
import { poolOptions } from "../../src/db/client.js";

/** The bare harnesses' driver setup: Glade's pool settings (the same patched driver, the same size), prepared statements on. */
export function barePool(): postgres.Sql {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is required");
  const pool = poolOptions(url, 10);
  return postgres(pool.url, pool.options);
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((done, fail) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => done(body));
    req.on("error", fail);
  });
}

export function serve(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void): void {
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((err: unknown) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(err instanceof Error ? err.message : String(err));
    });
  });
  server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => process.stdout.write("ready\n"));
  process.once("SIGTERM", () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
