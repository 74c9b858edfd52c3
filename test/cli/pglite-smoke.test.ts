import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../support/index.js";

/** The README's start command, on the embedded database, exactly as a new user runs it. */
describe("npm start on embedded PGlite", () => {
  const dir = mkdtempSync(join(tmpdir(), "glade-pglite-"));
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  });

  it("migrates, seeds, prints a key and a demo checkout that can be paid", async () => {
    const port = await freePort();
    child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "start"], {
      env: {
        ...process.env,
        DATABASE_URL: "",
        GLADE_DATA_DIR: join(dir, "data"),
        PORT: String(port),
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout?.on("data", (d) => {
      out += String(d);
    });
    child.stderr?.on("data", (d) => {
      out += String(d);
    });
    // Waits for the start-up lines or the process's end, however long a loaded machine takes to get there.
    const server = child;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (out.includes("Demo checkout:")) resolve();
      };
      server.stdout?.on("data", check);
      server.once("exit", () =>
        out.includes("Demo checkout:") ? resolve() : reject(new Error(`server exited: ${out}`)),
      );
      check();
    });
    expect(out).toContain("embedded PGlite");
    // The quickstart lets webhooks reach this machine, and says so.
    expect(out).toContain(
      "Webhooks may be sent to non-public addresses: localhost, 127.0.0.0/8, ::1/128 (the embedded quickstart's default; set GLADE_WEBHOOK_ALLOW_PRIVATE to change it)",
    );
    // A first start says what it is doing, step by step, with each step's time.
    expect(out).toMatch(/Creating the embedded database in .+ \(first start only\)… done in \d+\.\d s/);
    expect(out).toMatch(/Opening the embedded database, applying migrations… done in \d+\.\d s/);
    expect(out).toMatch(/Seeding the demo store… done in \d+\.\d s/);
    const key = /Test secret key:\s+(\S+)/.exec(out)?.[1];
    const checkout = /Demo checkout:\s+(\S+)/.exec(out)?.[1];
    expect(key).toMatch(/^sk_test_/);
    expect(checkout).toMatch(new RegExp(`^http://127.0.0.1:${port}/checkout/chckt_session_`));

    const products = await fetch(`http://127.0.0.1:${port}/api/v1/products`, {
      headers: { authorization: key as string },
    });
    expect(products.status).toBe(200);
    const list = (await products.json()) as { data: { name: string }[] };
    expect(list.data.map((p) => p.name)).toContain("Glade Pro");

    const pay = await fetch(`${checkout}/confirm`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        email: "smoke@example.com",
        name: "Smoke",
        country: "US",
        cardNumber: "4242424242424242",
        cardExpiry: "12/34",
        cardCvc: "123",
      }),
    });
    expect(pay.status).toBe(303);
    const receipt = await fetch(pay.headers.get("location") as string);
    expect(await receipt.text()).toContain("Visa ending in 4242");

    // The printed dashboard link: choose a password, land signed in on the demo store's dashboard.
    const link = /Dashboard:\s+(\S+)/.exec(out)?.[1] ?? "";
    expect(link).toMatch(new RegExp(`^http://127.0.0.1:${port}/dashboard/link/`));
    expect((await fetch(link)).status).toBe(200);
    const chosen = await fetch(link, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ password: "a demo password of length" }),
    });
    expect(chosen.status).toBe(303);
    const cookie = (chosen.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const dashboard = await fetch(`http://127.0.0.1:${port}/dashboard`, { headers: { cookie } });
    const overview = await dashboard.text();
    expect(overview).toContain("Glade Demo Store");
    // The payment reached the per-day totals the embedded database keeps by trigger.
    const gross = overview.slice(overview.indexOf('aria-labelledby="m-gross"'));
    expect(/class="overview-value">([^<]*)</.exec(gross)?.[1]).toMatch(/^\$[1-9][\d,]*\.\d\d$/);
    // Only a hang guard: the work is one start-up, one payment and one shutdown.
  }, 600_000);
});
