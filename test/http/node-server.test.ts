import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { listen, testContext } from "../support/index.js";

/**
 * The same app behind @hono/node-server, as production runs it: bodies arrive with a Content-Length or
 * chunked, which in-process `app.request` calls never do.
 */
const ctx = await testContext();
const { port } = await listen(ctx.app.fetch);
const merchant = await ctx.merchant();

type Reply = { status: number; body: Record<string, unknown>; headers: Record<string, unknown> };

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
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || "{}"), headers: res.headers }),
        );
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

describe("request ids through the Node server", () => {
  it("names each answer's request in x-request-id, the id an error body gives", async () => {
    const ok = await post("/api/v1/customers", [customer("rid_1")], { declareLength: true });
    expect(ok.status).toBe(200);
    expect(ok.headers["x-request-id"]).toMatch(/^req_[0-9A-Za-z]{22}$/);
    const refused = await post("/api/v1/customers", ['{"customer":'], { declareLength: true });
    expect(refused.status).toBe(400);
    expect(refused.headers["x-request-id"]).toMatch(/^req_/);
    expect(refused.headers["x-request-id"]).toBe(refused.body.request_id);
    expect(refused.headers["x-should-retry"]).toBe("false");
    expect(refused.headers["x-request-id"]).not.toBe(ok.headers["x-request-id"]);
  });

  it("sends x-request-id on pages and on answers to unknown paths, and in-process too", async () => {
    for (const path of ["/", "/checkout/chckt_session_missing", "/api/v1/nothing-here"]) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { redirect: "manual" });
      const ids = res.headers.get("x-request-id") ?? "";
      expect(ids, path).toMatch(/^req_[0-9A-Za-z]{22}$/);
    }
    // Without Node's response underneath (app.request), Hono's own header API carries it.
    const inProcess = await ctx.app.request("/");
    expect(inProcess.headers.get("x-request-id")).toMatch(/^req_[0-9A-Za-z]{22}$/);
  });
});
