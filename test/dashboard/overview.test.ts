import { describe, expect, it } from "vitest";
import {
  catalogFixture,
  checkoutPayment,
  createCustomer,
  createPrice,
  DAY_MS,
  dashboardUser,
  OVERVIEW_NOW,
  overviewClock,
  overviewWorld,
  signInDashboard,
  testContext,
} from "../support/index.js";

const ctx = await testContext({ now: () => new Date(overviewClock.now) });

/** A metric's card: its headline figures and, per series, the screen-reader table's rows (label → value). */
function card(page: string, id: string) {
  const start = page.indexOf(`aria-labelledby="m-${id}"`);
  if (start < 0) throw new Error(`no ${id} card`);
  const section = page.slice(start, page.indexOf("</section>", start));
  const figures = [...section.matchAll(/class="overview-value">([^<]*)</g)].map((m) => m[1]);
  const tables = [...section.matchAll(/<tbody>(.*?)<\/tbody>/gs)].map((t) =>
    Object.fromEntries(
      [...(t[1] ?? "").matchAll(/<th scope="row">([^<]*)<\/th><td>([^<]*)<\/td>/g)].map((r) => [r[1], r[2]]),
    ),
  );
  return { figures, tables };
}

const day = (daysAgo: number) => new Date(OVERVIEW_NOW - daysAgo * DAY_MS).toISOString().slice(0, 10);

describe("dashboard overview", () => {
  it("shows the last 30 days' exact numbers for the session's organization and mode only", async () => {
    const f = await overviewWorld(ctx, "Overview Org");
    // Noise that must never count: another organization's month, and this organization's live mode.
    await overviewWorld(ctx, "Other Org");
    overviewClock.now = OVERVIEW_NOW - 2 * DAY_MS;
    await createCustomer(ctx, f.merchant.liveKey, "live-only");
    overviewClock.now = OVERVIEW_NOW;

    const user = await dashboardUser(ctx, f.merchant.organizationId, "viewer");
    const visit = await signInDashboard(ctx, user.email);
    const res = await visit.get("/dashboard");
    expect(res.status).toBe(200);
    const page = res.text;
    expect(page).toContain(`Last 30 days, ${day(29)} to ${day(0)} (UTC)`);
    expect(page).not.toContain("Next steps");

    // Gross: 19.99 (-10) + 9.00 + 19.99 (-3); the declined 19.99 and the -40 payment are not volume.
    const gross = card(page, "gross");
    expect(gross.figures).toEqual(["$48.98", "€120.00"]);
    expect(gross.tables[0]?.[day(10)]).toBe("$19.99");
    expect(gross.tables[0]?.[day(3)]).toBe("$28.99");
    expect(gross.tables[0]?.[day(0)]).toBe("$0.00");
    expect(Object.keys(gross.tables[0] ?? {})).toHaveLength(30);
    expect(gross.tables[1]?.[day(1)]).toBe("€120.00");
    // Net: the partial refund of 5.00 counts against the refunded payment's day.
    const net = card(page, "net");
    expect(net.figures).toEqual(["$43.98", "€120.00"]);
    expect(net.tables[0]?.[day(10)]).toBe("$14.99");
    // c1 and c2 (-10), c3 (-1): the -40 customer, the other organization's and the live one are not counted.
    const customers = card(page, "customers");
    expect(customers.figures).toEqual(["3"]);
    expect(customers.tables[0]?.[day(10)]).toBe("2");
    expect(customers.tables[0]?.[day(2)]).toBe("0");
    // Two subscriptions now; before day -3 none (the chart reads the past from start dates).
    const active = card(page, "active");
    expect(active.figures).toEqual(["2"]);
    expect(active.tables[0]?.[day(5)]).toBe("0");
    expect(active.tables[0]?.[day(3)]).toBe("1");
    expect(active.tables[0]?.[day(0)]).toBe("2");
    // MRR: 9.00 a month, and €120.00 a year is €10.00 a month.
    const mrr = card(page, "mrr");
    expect(mrr.figures).toEqual(["$9.00", "€10.00"]);
    expect(mrr.tables[1]?.[day(2)]).toBe("€0.00");
    expect(mrr.tables[1]?.[day(1)]).toBe("€10.00");
    const failed = card(page, "failed");
    expect(failed.figures).toEqual(["1"]);
    expect(failed.tables[0]?.[day(3)]).toBe("1");

    // By week: the same totals, in ISO weeks starting on Monday.
    const weekly = (await visit.get("/dashboard?by=week")).text;
    expect(weekly).toMatch(/<a href="\/dashboard\?by=week" aria-current="true">/);
    expect(card(weekly, "gross").figures).toEqual(["$48.98", "€120.00"]);
    expect(card(weekly, "customers").figures).toEqual(["3"]);
    const weeks = Object.keys(card(weekly, "gross").tables[0] ?? {});
    expect(weeks.length).toBeGreaterThanOrEqual(5);
    for (const w of weeks) expect(new Date(`${w}T00:00:00Z`).getUTCDay()).toBe(1);
    // 2031-05-20 is a Tuesday: this week started on Monday the 19th; c3's day (-1) is in it, -3 is not.
    expect(card(weekly, "gross").tables[1]?.["2031-05-19"]).toBe("€120.00");
    expect(card(weekly, "failed").tables[0]?.["2031-05-12"]).toBe("1");
    expect(card(weekly, "mrr").figures).toEqual(["$9.00", "€10.00"]);
    // Charts are server-drawn SVG hidden from screen readers, which read the table instead.
    expect(weekly).toMatch(/<svg [^>]*aria-hidden="true"/);
    expect(weekly).not.toContain("<script");
  });

  it("shows the organization's default currency first even without money in it", async () => {
    overviewClock.now = OVERVIEW_NOW;
    const f = await catalogFixture(ctx, { merchantName: "Euro Only" });

    const eur = await createPrice(ctx, f.merchant, {
      productId: f.productId,
      currency: "EUR",
      type: "single_payment",
      unitPrice: 700,
      slug: "eur-once",
    });
    await createCustomer(ctx, f.merchant.testKey, "eur-buyer");
    await checkoutPayment(ctx, f.merchant.testKey, "eur-buyer", eur.id);
    const user = await dashboardUser(ctx, f.merchant.organizationId, "owner");
    const page = (await (await signInDashboard(ctx, user.email)).get("/dashboard")).text;
    expect(card(page, "gross").figures).toEqual(["$0.00", "€7.00"]);
  });

  it("counts a subscription canceled since in the past days of the charts, and not now", async () => {
    overviewClock.now = OVERVIEW_NOW - 5 * DAY_MS;
    const f = await catalogFixture(ctx, { merchantName: "Canceled Org" });
    await createCustomer(ctx, f.merchant.testKey, "leaver");
    const paid = await checkoutPayment(ctx, f.merchant.testKey, "leaver", f.monthlyPriceId);
    overviewClock.now = OVERVIEW_NOW - 2 * DAY_MS;
    const canceled = await ctx.api("POST", `/api/v1/subscriptions/${paid.subscriptionId}/cancel`, {
      key: f.merchant.testKey,
      body: { cancellation: { timing: "immediately" } },
    });
    expect(canceled.status).toBe(200);
    overviewClock.now = OVERVIEW_NOW;
    const user = await dashboardUser(ctx, f.merchant.organizationId, "viewer");
    const page = (await (await signInDashboard(ctx, user.email)).get("/dashboard")).text;
    const active = card(page, "active");
    expect(active.figures).toEqual(["0"]);
    expect([day(6), day(5), day(3), day(2), day(0)].map((d) => active.tables[0]?.[d])).toEqual([
      "0",
      "1",
      "1",
      "0",
      "0",
    ]);
    const mrr = card(page, "mrr");
    expect(mrr.figures).toEqual(["$0.00"]);
    expect([day(6), day(5), day(3), day(2)].map((d) => mrr.tables[0]?.[d])).toEqual([
      "$0.00",
      "$9.00",
      "$9.00",
      "$0.00",
    ]);
  });

  it("keeps the next steps for an organization without payments, and in a mode without them", async () => {
    overviewClock.now = OVERVIEW_NOW;
    const m = await ctx.merchant("Fresh Org");
    await createCustomer(ctx, m.testKey, "someone");
    const user = await dashboardUser(ctx, m.organizationId, "owner");
    const visit = await signInDashboard(ctx, user.email);
    const page = (await visit.get("/dashboard")).text;
    expect(page).toContain("Next steps");
    expect(page).toContain("No payments yet in test data");
    expect(page).not.toContain("overview-card");
    // Switching to live data of an organization that has test payments only: still the next steps.
    const paid = await overviewWorld(ctx, "Test Only Org");
    const owner = await dashboardUser(ctx, paid.merchant.organizationId, "owner");
    const v2 = await signInDashboard(ctx, owner.email);
    expect((await v2.get("/dashboard")).text).toContain("overview-card");
    expect((await v2.post("/dashboard/view", { livemode: "true", back: "/dashboard" })).status).toBe(303);
    const live = (await v2.get("/dashboard")).text;
    expect(live).toContain("No payments yet in live data");
    expect(live).not.toContain("overview-card");
  });

  it("sends a visitor without a session to sign in", async () => {
    const res = await ctx.api("GET", "/dashboard?by=week");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/dashboard/sign-in");
  });
});
