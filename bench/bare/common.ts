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

const CONFIRM_PATH = /^\/checkout\/([^/]+)\/confirm$/;

/**
 * The hosted page's confirm as the bare harnesses answer it: `POST /checkout/{id}/confirm` with the form
 * Glade gets, 303 to the shop when `complete` settled the row, 409 when it was not open.
 */
export function serveConfirm(complete: (id: string, form: URLSearchParams) => Promise<boolean>): void {
  serve(async (req, res) => {
    const match = req.method === "POST" ? CONFIRM_PATH.exec(req.url ?? "") : null;
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    const id = match[1] as string;
    if (!(await complete(id, new URLSearchParams(await readBody(req))))) {
      res.writeHead(409, { "content-type": "text/plain" }).end("not open");
      return;
    }
    res.writeHead(303, { location: `https://shop.example.com/thanks?session=${id}` }).end();
  });
}
