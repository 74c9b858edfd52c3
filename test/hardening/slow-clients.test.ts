import { connect, type Socket } from "node:net";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createApp } from "../../src/app.js";
import { loadConfig } from "../../src/lib/config.js";
import { type RunningServer, startServer } from "../../src/server.js";
import { testContext } from "../support/index.js";

/**
 * Issue #25 item 7: a client that trickles its request, or opens connections without end, cannot hold the
 * server. A real `glade start` server (no jobs) with short limits, so the test waits on the socket closing,
 * not on minutes of default timeouts.
 */
const ctx = await testContext();
const config = {
  ...loadConfig({
    LOG_LEVEL: "silent",
    GLADE_HEADERS_TIMEOUT_MS: "800",
    GLADE_REQUEST_TIMEOUT_MS: "1500",
    GLADE_MAX_CONNECTIONS: "5",
    GLADE_WORKER: "off",
  }),
  databaseUrl: inject("databaseUrl"),
  port: 0,
};
const running: RunningServer = await startServer(config);
const port = Number(new URL(running.url).port);
afterAll(() => running.stop());

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Resolves when the server closes the socket, with what it sent before; the test's timeout is the hang guard. */
function closed(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let answer = "";
    socket.on("data", (d: Buffer) => {
      answer += d.toString();
    });
    socket.on("error", () => {});
    socket.once("close", () => resolve(answer));
  });
}

/** Writes `byte` every 300 ms until the socket closes (at most 400 times); returns how many it sent. */
function trickle(socket: Socket, byte: string): () => number {
  let sent = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || sent >= 400) return clearInterval(timer);
    sent++;
    socket.write(byte);
  }, 300);
  socket.once("close", () => clearInterval(timer));
  return () => sent;
}

describe("slow and greedy clients", () => {
  it("closes a connection whose headers never finish", async () => {
    const socket = await open();
    const done = closed(socket);
    socket.write("GET /api/v1/customers HTTP/1.1\r\nHost: x\r\n");
    // A header byte every 300 ms, never the blank line that ends them, until the server hangs up.
    const sent = trickle(socket, "X");
    const answer = await done;
    expect(answer === "" || answer.startsWith("HTTP/1.1 408")).toBe(true);
    // 0.8 s allowed, checked every second: a handful of bytes, not Node's default minute.
    expect(sent()).toBeLessThan(20);
  });

  it("closes a connection whose body trickles in past the request timeout", async () => {
    // A valid key, so the request gets as far as reading its body.
    const { testKey } = await ctx.merchant("Slow client");
    const socket = await open();
    const done = closed(socket);
    socket.write(
      `POST /api/v1/customers HTTP/1.1\r\nHost: x\r\nAuthorization: ${testKey}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`,
    );
    // One body byte every 300 ms, until the server hangs up.
    const sent = trickle(socket, " ");
    const answer = await done;
    expect(answer === "" || answer.startsWith("HTTP/1.1 408")).toBe(true);
    // 1.5 s allowed, checked every second: a handful of bytes, not Node's default five minutes.
    expect(sent()).toBeLessThan(20);
  });

  it("closes connections beyond GLADE_MAX_CONNECTIONS at once, and serves again when they go", async () => {
    const held = await Promise.all(Array.from({ length: 5 }, open));
    const extra = await open();
    await closed(extra);
    for (const socket of held) socket.destroy();
    // Serving again: the server noticed the held ones close (a condition, polled).
    await expect.poll(async () => (await fetch(`${running.url}/`).catch(() => undefined))?.status).toBe(200);
  });
});

describe("security headers", () => {
  it("sends HSTS when the public URL is https, and not over plain http", async () => {
    const https = createApp({
      ...ctx.deps,
      config: { ...ctx.deps.config, publicUrl: "https://pay.example" },
    });
    for (const path of ["/", "/api/v1/customers", "/checkout/chckt_session_nothing", "/dashboard/sign-in"]) {
      const res = await https.request(path);
      expect(res.headers.get("strict-transport-security"), path).toBe("max-age=31536000");
      expect((await ctx.app.request(path)).headers.get("strict-transport-security"), path).toBeNull();
    }
  });

  it("protects the landing page like the hosted pages", async () => {
    const res = await ctx.app.request("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
  });
});
