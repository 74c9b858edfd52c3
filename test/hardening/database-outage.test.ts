import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcilePendingSessions } from "../../src/checkout/index.js";
import {
  type ApiResult,
  anonymousSession,
  type CatalogFixture,
  catalogFixture,
  createSession,
  type DatabaseProxy,
  databaseProxy,
  ownDatabase,
  payCheckout,
  submitCheckoutForm,
  type TestContext,
  testContext,
} from "../support/index.js";

/**
 * The database goes away under a running server: its backends terminated (a restart, a failover, an
 * administrator) or its host unreachable. Every request must end within a bound, with a 503 the client may
 * retry rather than a 500 or a hang; nothing escapes as an unhandled rejection (Vitest fails the file if it
 * does); the server recovers without a restart; and the books balance afterwards.
 */

/** postgres.js's connect timeout (5 s) plus a margin for a loaded machine. */
const REQUEST_BOUND_MS = 10_000;
const CLIENTS = 8;
const ROUNDS = 5;
const KILLS = 12;

let ctx: TestContext;
let proxy: DatabaseProxy;
let admin: postgres.Sql;
let databaseName: string;
let f: CatalogFixture;

beforeAll(async () => {
  const url = await ownDatabase();
  databaseName = new URL(url).pathname.slice(1);
  proxy = await databaseProxy(url);
  ctx = await testContext({}, { databaseUrl: proxy.url });
  admin = postgres(url, { max: 1, onnotice: () => {} });
  f = await catalogFixture(ctx);
});
afterAll(async () => {
  await admin?.end({ timeout: 5 });
  await proxy?.close();
});

async function timed(call: () => Promise<ApiResult>): Promise<ApiResult & { ms: number }> {
  const started = performance.now();
  const res = await call();
  return { ...res, ms: performance.now() - started };
}

const newSession = () =>
  createSession(ctx, f.merchant.testKey, { type: "product", anonymous: true, priceId: f.oneTimePriceId });

describe("the database host out of reach", () => {
  it("answers the API with a retryable 503 and hosted pages with an HTML 503, then recovers", async () => {
    const sessionId = await anonymousSession(ctx, f);
    await proxy.cut();
    try {
      const api = await timed(newSession);
      expect(api.status).toBe(503);
      expect(api.body).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
      expect(api.headers.get("x-should-retry")).toBe("true");
      expect(api.ms).toBeLessThan(REQUEST_BOUND_MS);

      for (const page of [
        () => ctx.api("GET", `/checkout/${sessionId}`),
        () => submitCheckoutForm(ctx, sessionId, { cardNumber: "4242 4242 4242 4242" }),
      ]) {
        const res = await timed(page);
        expect(res.status).toBe(503);
        expect(res.headers.get("content-type")).toMatch(/^text\/html/);
        expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
        expect(res.headers.get("x-should-retry")).toBe("true");
        expect(res.text).toContain("Temporarily unavailable");
        expect(res.ms).toBeLessThan(REQUEST_BOUND_MS);
      }
    } finally {
      await proxy.restore();
    }
    await expect.poll(async () => (await newSession()).status).toBe(200);
    await payCheckout(ctx, sessionId);
  });
});

describe("backends terminated under load", () => {
  it(`${CLIENTS} buyers, ${KILLS} rounds of pg_terminate_backend: only 2xx/3xx/503, bounded, books balance`, async () => {
    // The server's LISTEN (API key revocations) shares the fate of every other connection.
    const heard: string[] = [];
    await ctx.handle.listen(
      "glade_outage_test",
      (payload) => heard.push(payload),
      () => {},
    );
    const answers: { what: string; status: number; ms: number }[] = [];
    const paid: string[] = [];
    let running = CLIENTS;
    const buyer = async () => {
      try {
        for (let round = 0; round < ROUNDS; round++) {
          const created = await timed(newSession);
          answers.push({ what: "create", status: created.status, ms: created.ms });
          if (created.status !== 200) continue;
          const id: string = created.body.checkoutSession.id;
          const confirmed = await timed(() =>
            submitCheckoutForm(ctx, id, { cardNumber: "4242 4242 4242 4242" }),
          );
          answers.push({ what: "confirm", status: confirmed.status, ms: confirmed.ms });
          // A 303 back to the page is an attempt left pending (checked after the reconciliation below).
          const location = confirmed.headers.get("location") ?? "";
          if (confirmed.status === 303 && !location.startsWith("/checkout/")) paid.push(id);
        }
      } finally {
        running--;
      }
    };
    const killer = async () => {
      for (let kill = 0; kill < KILLS && running > 0; kill++) {
        await admin`select pg_terminate_backend(pid) from pg_stat_activity
          where datname = ${databaseName} and pid <> pg_backend_pid()`;
        // The next round waits for the pool to have reconnected, so each kill lands on live work.
        await expect
          .poll(
            async () =>
              running === 0 ||
              (
                await admin`select count(*)::int as n from pg_stat_activity
                  where datname = ${databaseName} and pid <> pg_backend_pid()`
              )[0]?.n > 0,
          )
          .toBe(true);
      }
    };
    await Promise.all([killer(), ...Array.from({ length: CLIENTS }, buyer)]);

    const unexpected = answers.filter((a) => ![200, 303, 503].includes(a.status));
    expect(unexpected, "answers other than 200, 303 or 503").toEqual([]);
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(REQUEST_BOUND_MS);
    expect(answers.filter((a) => a.status === 503).length, "the kills were felt").toBeGreaterThan(0);

    // Recovered without a restart: a new session can be created and paid.
    await expect.poll(async () => (await newSession()).status).toBe(200);
    const afterwards = await anonymousSession(ctx, f);
    await payCheckout(ctx, afterwards);
    paid.push(afterwards);

    // LISTEN resubscribed after its connection was terminated: a notification sent now still arrives.
    await expect
      .poll(async () => {
        await admin`select pg_notify('glade_outage_test', 'after')`;
        return heard.includes("after");
      })
      .toBe(true);

    // Attempts cut short between charge and record are what reconciliation exists for (it runs every 30 s
    // in the server; here at once, with no staleness wait).
    const org = f.merchant.organizationId;
    await expect
      .poll(async () => {
        await reconcilePendingSessions(ctx.deps, { staleMs: 0 });
        const [row] = await admin<{ n: number }[]>`select count(*)::int as n from checkout_sessions
          where organization_id = ${org} and status = 'pending'`;
        return row?.n;
      })
      .toBe(0);
    const sessions = await admin<{ id: string; status: string; payments: number }[]>`
      select s.id, s.status, (select count(*)::int from payments p where p.checkout_session_id = s.id) as payments
      from checkout_sessions s where s.organization_id = ${org}`;
    const succeeded = sessions.filter((s) => s.status === "succeeded");
    expect(
      succeeded.filter((s) => s.payments !== 1),
      "succeeded sessions without exactly one payment",
    ).toEqual([]);
    expect(
      sessions.filter((s) => s.status !== "succeeded" && s.payments > 0),
      "payments of unpaid sessions",
    ).toEqual([]);
    expect(succeeded.map((s) => s.id)).toEqual(expect.arrayContaining(paid));
    const orphans = await admin`select p.id from payments p
      where p.organization_id = ${org} and p.status = 'succeeded'
        and not exists (select 1 from events e where e.object_id = p.id and e.type = 'payment.succeeded')`;
    expect(orphans, "succeeded payments without their payment.succeeded event").toEqual([]);
    const eventsWithoutSession = await admin`select e.object_id from events e
      where e.organization_id = ${org} and e.type = 'checkout_session.succeeded'
        and not exists (select 1 from checkout_sessions s where s.id = e.object_id and s.status = 'succeeded')`;
    expect(eventsWithoutSession, "checkout_session.succeeded events for sessions not succeeded").toEqual([]);
  });
});
