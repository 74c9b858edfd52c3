import { request } from "node:http";
import { serve } from "@hono/node-server";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../bench/lib/child.js";
import { testContext } from "./harness.js";

/**
 * The same app behind @hono/node-server, as production runs it: bodies arrive with a Content-Length or
 * chunked, which in-process `app.request` calls never do.
 */
const ctx = await testContext();
const port = await freePort();
const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
  const s = serve({ fetch: ctx.app.fetch, port, hostname: "127.0.0.1" }, () => resolve(s));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
const merchant = await ctx.merchant();

type Reply = { status: number; body: Record<string, unknown> };

/** A raw POST: `chunks` are written one by one, so without a length header Node sends them chunked. */
function post(path: string, chunks: string[], options: { declareLength: boolean }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const total = chunks.reduce((n, c) => n + Buffer.byteLength(c), 0);
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        headers: {
          authorization: merchant.testKey,
          "content-type": "application/json",
          ...(options.declareLength ? { "content-length": String(total) } : {}),
        },
      },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => {
          text += d.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || "{}") }));
      },
    );
    // The server may answer (413) and close before the whole body is sent.
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

const customer = (externalId: string) =>
  JSON.stringify({ customer: { externalId, email: `${externalId}@example.com`, name: "Ada" } });

describe("request bodies through the Node server", () => {
  it("accepts a body with a Content-Length and one sent chunked", async () => {
    const declared = await post("/api/v1/customers", [customer("len_1")], { declareLength: true });
    expect(declared.status).toBe(200);
    const body = customer("chunked_1");
    const chunked = await post("/api/v1/customers", [body.slice(0, 10), body.slice(10)], {
      declareLength: false,
    });
    expect(chunked.status).toBe(200);
  });

  it("refuses an oversized body by its declared length and by counting a chunked one", async () => {
    const max = ctx.deps.config.maxBodyBytes;
    const big = `{"customer":{"pad":"${"x".repeat(max)}"}}`;
    const declared = await post("/api/v1/customers", [big], { declareLength: true }).catch(() => undefined);
    // Either the 413 arrives, or the server closed the socket on us mid-upload; never a 2xx or a 5xx.
    if (declared) expect(declared).toMatchObject({ status: 413, body: { code: "PAYLOAD_TOO_LARGE" } });
    const halves = [big.slice(0, max / 2), big.slice(max / 2)];
    const chunked = await post("/api/v1/customers", halves, { declareLength: false }).catch(() => undefined);
    if (chunked) expect(chunked).toMatchObject({ status: 413, body: { code: "PAYLOAD_TOO_LARGE" } });
    expect(declared ?? chunked, "at least one 413 came back").toBeDefined();
  });

  it("answers malformed JSON with a structured 400", async () => {
    const res = await post("/api/v1/customers", ['{"customer": '], { declareLength: true });
    expect(res.status).toBe(400);
    expect(res.body).toHaveProperty("code");
  });
});
