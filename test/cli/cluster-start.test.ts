import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { afterEach, describe, expect, inject, it } from "vitest";
import { childPids } from "../../bench/lib/child.js";
import { freePort } from "../support/index.js";

const CLI = "src/cli/main.ts";
let primary: ChildProcess | undefined;

afterEach(() => {
  if (primary && primary.exitCode === null) primary.kill("SIGKILL");
  primary = undefined;
});

function start(env: Record<string, string>): { proc: ChildProcess; output: () => string } {
  const proc = spawn(process.execPath, ["--import", "tsx", CLI, "start"], {
    env: { ...process.env, LOG_LEVEL: "silent", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  primary = proc;
  let output = "";
  proc.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  proc.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  return { proc, output: () => output };
}

/** The primary's Node children: its HTTP workers (tsx may also run an esbuild child, which is not one). */
function workerPids(primary: number): number[] {
  return childPids(primary).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "node";
    } catch {
      return false;
    }
  });
}

async function until<T>(what: string, probe: () => T | undefined, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const exitOf = (proc: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (proc.exitCode !== null) resolve(proc.exitCode);
    else proc.once("exit", (code) => resolve(code));
  });

describe("glade start with GLADE_HTTP_WORKERS", () => {
  it("serves from several worker processes, replaces one that dies, and stops cleanly", async () => {
    const port = await freePort();
    const { proc, output } = start({
      DATABASE_URL: inject("databaseUrl"),
      GLADE_HTTP_WORKERS: "2",
      GLADE_SEED: "demo",
      PORT: String(port),
      HOST: "127.0.0.1",
    });
    const key = await until("the demo key", () => /sk_test_[0-9A-Za-z]+/.exec(output())?.[0]);
    expect(output()).toContain(`Glade listening on http://127.0.0.1:${port} (2 HTTP workers)`);
    const pid = proc.pid as number;
    const workers = workerPids(pid);
    expect(workers).toHaveLength(2);

    const get = (path: string) =>
      fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: key, connection: "close" } });
    for (let i = 0; i < 10; i++) expect((await get("/api/v1/products")).status).toBe(200);
    const checkoutUrl = /Demo checkout:\s+(\S+)/.exec(output())?.[1];
    expect(checkoutUrl).toBeDefined();
    expect((await fetch(checkoutUrl as string)).status).toBe(200);

    // A worker killed outright is replaced; the port keeps answering meanwhile.
    process.kill(workers[0] as number, "SIGKILL");
    const replaced = await until("a replacement worker", () => {
      const now = workerPids(pid);
      return now.length === 2 && !now.includes(workers[0] as number) ? now : undefined;
    });
    expect(replaced).toContain(workers[1]);
    for (let i = 0; i < 10; i++) expect((await get("/api/v1/products")).status).toBe(200);

    proc.kill("SIGTERM");
    expect(await exitOf(proc)).toBe(0);
    expect(childPids(pid)).toEqual([]);
  }, 240_000);

  it("fails the start when its workers cannot listen, instead of replacing them forever", async () => {
    const blocker = createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, "127.0.0.1", () => resolve((blocker.address() as AddressInfo).port)),
    );
    try {
      const { proc, output } = start({
        DATABASE_URL: inject("databaseUrl"),
        GLADE_HTTP_WORKERS: "2",
        PORT: String(port),
        HOST: "127.0.0.1",
      });
      expect(await exitOf(proc)).toBe(1);
      expect(output()).toContain("HTTP worker exited before listening");
      expect(childPids(proc.pid as number)).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  }, 240_000);

  it("refuses several workers on the embedded database, which lives in one process", async () => {
    const { proc, output } = start({ DATABASE_URL: "", GLADE_HTTP_WORKERS: "2", PORT: "0" });
    expect(await exitOf(proc)).toBe(1);
    expect(output()).toContain("GLADE_HTTP_WORKERS above 1 needs DATABASE_URL");
  }, 240_000);
});
