import { connect } from "node:net";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/lib/logger.js";
import { listen, testContext } from "../support/index.js";

type Line = { level: number; msg: string; err?: { stack?: string } };
const lines: Line[] = [];
const memory = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).trim().split("\n")) lines.push(JSON.parse(line) as Line);
    done();
  },
});
const ctx = await testContext({ logger: createLogger("debug", memory) });
const { port } = await listen(ctx.app.fetch);

/** A client that announces a body, sends part of it, and hangs up. */
function abortMidBody(path: string, key: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${key}\r\nContent-Type: ${path.startsWith("/api") ? "application/json" : "application/x-www-form-urlencoded"}\r\nContent-Length: 1000\r\n\r\n{"customer":{"externalId":"x`,
      );
      // Once the server has the headers and the first bytes (it answers nothing until the body ends).
      setImmediate(() => socket.destroy());
    });
    socket.on("close", () => resolve());
  });
}

describe("a client that hangs up mid-body", () => {
  it("is logged at debug, without a stack, and never as an unhandled error (API and hosted forms alike)", async () => {
    const m = await ctx.merchant();
    await abortMidBody("/checkout/chckt_session_abc/confirm", m.testKey);
    await abortMidBody("/price/price_abc/purchase", m.testKey);
    await abortMidBody("/dashboard/sign-in", m.testKey);
    await abortMidBody("/api/v1/customers", m.testKey);
    await expect
      .poll(() => lines.filter((l) => /client closed|aborted/i.test(l.msg)).length)
      .toBeGreaterThanOrEqual(1);
    const aborted = lines.filter((l) => /client closed|aborted/i.test(l.msg));
    expect(aborted.every((l) => l.level === 20 && l.err?.stack === undefined)).toBe(true);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    // And the server still answers.
    expect(
      (await fetch(`http://127.0.0.1:${port}/api/v1/customers`, { headers: { authorization: m.testKey } }))
        .status,
    ).toBe(200);
  });
});
