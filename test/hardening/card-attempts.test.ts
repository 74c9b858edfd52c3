import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/raw.js";
import { deleteOldClientAttempts } from "../../src/http/shared-rate-limit.js";
import {
  anonymousSession,
  CARDS,
  type CatalogFixture,
  catalogFixture,
  sessionRow,
  type TestContext,
  testContext,
} from "../support/index.js";

/**
 * Card testing: a script tries stolen cards one after another, each on a fresh session (a session fails for good
 * after a few declines) and, behind a load balancer, on different processes. The budget is the client's, kept in
 * the database: two apps on one database stand for two processes.
 */
const LIMIT = 3;
let clock = Date.now();
const base = await testContext();
const config = { ...base.deps.config, cardAttempts: { limit: LIMIT, windowMs: 60 * 60_000 } };
const now = () => new Date(clock);
const processes: TestContext[] = [
  await testContext({ config, now }, { databaseUrl: base.deps.config.databaseUrl as string }),
  await testContext({ config, now }, { databaseUrl: base.deps.config.databaseUrl as string }),
];

/** A form post from `ip`, as @hono/node-server hands the app its connection. */
async function post(app: TestContext["app"], ip: string, path: string, fields: Record<string, string>) {
  const res = await app.request(
    path,
    {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    },
    { incoming: { socket: { remoteAddress: ip } } },
  );
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const buyer = { email: "card@example.com", name: "Card Tester", country: "US" };
const pay = (app: TestContext["app"], ip: string, sessionId: string, cardNumber: string) =>
  post(app, ip, `/checkout/${sessionId}/confirm`, {
    ...buyer,
    cardNumber,
    cardExpiry: "12 / 34",
    cardCvc: "123",
  });

/** What the page says after a form post's 303, read with the one-time cookie it set. */
async function pageAfter(app: TestContext["app"], res: { headers: Headers }) {
  const cookie = res.headers.get("set-cookie")?.split(";")[0];
  const location = res.headers.get("location") ?? "";
  const page = await app.request(location, cookie ? { headers: { cookie } } : {});
  return page.text();
}

/** Card attempts that reached the processor: each one counts on its session. */
async function attemptsOf(f: CatalogFixture): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    base.deps.db,
    sql`select coalesce(sum(attempt), 0)::int as n from checkout_sessions
      where organization_id = ${f.merchant.organizationId}`,
  );
  return row?.n ?? 0;
}

describe("card attempts per client", () => {
  it("hold across sessions and processes, stop before the processor, spare other clients, and reset", async () => {
    const f = await catalogFixture(base);
    const tester = "198.51.100.7";
    for (let i = 0; i < LIMIT; i++) {
      const app = processes[i % 2]?.app as TestContext["app"];
      const declined = await pay(app, tester, await anonymousSession(base, f), CARDS.decline);
      expect(declined.status).toBe(303);
    }
    const triedBefore = await attemptsOf(f);
    expect(triedBefore).toBe(LIMIT);

    // The next card, on a fresh session and the other process: refused before any processor call.
    const fresh = await anonymousSession(base, f);
    const app = processes[1]?.app as TestContext["app"];
    const refused = await pay(app, tester, fresh, CARDS.ok);
    expect(refused.status).toBe(303);
    expect(refused.headers.get("location")).toBe(`/checkout/${fresh}`);
    expect(await pageAfter(app, refused)).toContain("Too many card payments were tried from your network");
    expect(await attemptsOf(f)).toBe(triedBefore);
    expect(await sessionRow(base, fresh)).toMatchObject({ status: "open", attempt: 0 });

    // The browser-confirmed processors' intent endpoint counts against the same budget.
    const intent = await post(app, tester, `/checkout/${fresh}/intent`, buyer);
    expect(intent.status).toBe(429);
    expect(Number(intent.headers.get("retry-after"))).toBeGreaterThan(0);

    // Another client pays as usual.
    expect((await pay(app, "203.0.113.40", fresh, CARDS.ok)).headers.get("location")).toMatch(
      /^https:\/\/merchant.example\/thanks/,
    );

    // The next window starts afresh; windows long over are swept away.
    clock += 61 * 60_000;
    const later = await pay(app, tester, await anonymousSession(base, f), CARDS.ok);
    expect(later.headers.get("location")).toMatch(/^https:\/\/merchant.example\/thanks/);
    expect(await deleteOldClientAttempts(base.deps.db, new Date(clock + 24 * 60 * 60_000))).toBeGreaterThan(
      0,
    );
  });
});
