import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { listAuditEntries } from "../../src/audit/index.js";
import { checkoutSessions, subscriptions } from "../../src/db/schema/index.js";
import { type RecordsWorld, recordsWorld, subscribeTo } from "../support/dashboard-records.js";
import {
  DAY,
  type DashboardVisit,
  dashboardUser,
  PERIOD_START,
  signInDashboard,
  type TestMerchant,
  testContext,
} from "../support/index.js";

const clock = { now: PERIOD_START + 15 * DAY };
const ctx = await testContext({ now: () => new Date(clock.now) });

let m: TestMerchant;
let own: RecordsWorld;
let live: RecordsWorld;
let other: RecordsWorld;
let admin: DashboardVisit;
let viewer: DashboardVisit;

beforeAll(async () => {
  m = await ctx.merchant("Records Org");
  own = await recordsWorld(ctx, m);
  live = await recordsWorld(ctx, m, true);
  other = await recordsWorld(ctx, await ctx.merchant("Other Org"));
  admin = await signInDashboard(ctx, (await dashboardUser(ctx, m.organizationId, "admin")).email);
  viewer = await signInDashboard(ctx, (await dashboardUser(ctx, m.organizationId, "viewer")).email);
});

const subStatus = async (id: string) =>
  (await ctx.deps.db.select().from(subscriptions).where(eq(subscriptions.id, id)))[0]?.status;
const sessionStatus = async (id: string) =>
  (await ctx.deps.db.select().from(checkoutSessions).where(eq(checkoutSessions.id, id)))[0]?.status;
const audit = async (objectId: string, merchant = own.merchant) =>
  (await listAuditEntries(ctx.deps.db, merchant, { limit: 100 })).entries.filter(
    (e) => e.objectId === objectId,
  );

/** A fresh subscription of the org's test customer, so each test changes its own. */
const freshSubscription = () => subscribeTo(ctx, own.merchant, own.customerId, own.monthly);

describe("dashboard subscriptions", () => {
  it("lists the mode's subscriptions with status, customer, plan, amount and period end, and filters by status", async () => {
    const page = await admin.get("/dashboard/subscriptions");
    expect(page.status).toBe(200);
    expect(page.text).toContain(`/dashboard/subscriptions/${own.subscriptionId}`);
    expect(page.text).toContain(own.customerName);
    expect(page.text).toContain("Pro");
    expect(page.text).toContain("$39.98 / month");
    expect(page.text).toContain("2030-02-01 00:00");
    expect(page.text).not.toContain(live.subscriptionId);
    expect(page.text).not.toContain(other.subscriptionId);

    const active = await admin.get("/dashboard/subscriptions?status=active");
    expect(active.text).toContain(own.subscriptionId);
    expect(active.text).toMatch(/href="\/dashboard\/subscriptions\?status=active" aria-current="true"/);
    const canceled = await admin.get("/dashboard/subscriptions?status=canceled");
    expect(canceled.text).not.toContain(own.subscriptionId);
    expect(canceled.text).toContain("No subscriptions are canceled.");
    expect((await admin.get("/dashboard/subscriptions?status=bogus")).status).toBe(400);
    expect((await admin.get("/dashboard/subscriptions?cursor=not-a-cursor")).status).toBe(400);
    expect((await ctx.api("GET", "/dashboard/subscriptions")).status).toBe(303);
  });

  it("pages with a cursor, newest first, keeping the status filter", async () => {
    const pm = await ctx.merchant("Paging Org");
    const w = await recordsWorld(ctx, pm);
    for (let i = 0; i < 25; i++) await subscribeTo(ctx, w.merchant, w.customerId, w.monthly);
    const visit = await signInDashboard(ctx, (await dashboardUser(ctx, pm.organizationId, "viewer")).email);
    const first = await visit.get("/dashboard/subscriptions?status=active");
    const older = /href="(\/dashboard\/subscriptions\?status=active&amp;cursor=[^"]+)"/.exec(first.text)?.[1];
    expect(older).toBeDefined();
    expect(first.text).not.toContain(w.subscriptionId);
    const second = await visit.get((older ?? "").replaceAll("&amp;", "&"));
    expect(second.status).toBe(200);
    expect(second.text).toContain(w.subscriptionId);
    expect(second.text).not.toContain("Older →");
  });

  it("shows the details with items, and an admin cancels at period end, undoes it, then cancels now, audited", async () => {
    const id = await freshSubscription();
    const detail = await admin.get(`/dashboard/subscriptions/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain("Items");
    expect(detail.text).toContain("$19.99");
    expect(detail.text).toContain("Cancel at period end");
    expect(detail.text).toContain("Cancel now");
    expect(detail.text).not.toContain("Undo cancellation");

    // Each change a second apart, so the log's newest-first order is the order they were made in.
    clock.now += 1000;
    const scheduled = await admin.post(`/dashboard/subscriptions/${id}/cancel`, {
      timing: "at_end_of_current_billing_period",
    });
    expect(scheduled.status).toBe(303);
    expect(scheduled.headers.get("location")).toBe(`/dashboard/subscriptions/${id}`);
    expect(await subStatus(id)).toBe("cancellation_scheduled");
    const after = await admin.get(`/dashboard/subscriptions/${id}`);
    expect(after.text).toContain("Undo cancellation");
    expect(after.text).toContain("Cancels at (UTC)");

    clock.now += 1000;
    expect((await admin.post(`/dashboard/subscriptions/${id}/uncancel`)).status).toBe(303);
    expect(await subStatus(id)).toBe("active");

    clock.now += 1000;
    expect(
      (await admin.post(`/dashboard/subscriptions/${id}/cancel`, { timing: "immediately" })).status,
    ).toBe(303);
    expect(await subStatus(id)).toBe("canceled");

    const entries = (await audit(id)).reverse();
    expect(entries.map((e) => e.action)).toEqual([
      "subscription.cancellation_scheduled",
      "subscription.cancellation_undone",
      "subscription.canceled",
    ]);
    expect(entries[0]?.before).toMatchObject({ status: "active", cancelScheduledAt: null });
    expect(entries[0]?.after).toMatchObject({ status: "cancellation_scheduled" });
    expect(entries[2]?.after).toMatchObject({ status: "canceled" });
    expect(entries.every((e) => e.actorType === "user")).toBe(true);

    // Ended: no action is offered, and a replayed cancel is refused on the page, not written or audited.
    const ended = await admin.get(`/dashboard/subscriptions/${id}`);
    expect(ended.text).not.toContain("Cancel now");
    const again = await admin.post(`/dashboard/subscriptions/${id}/cancel`, { timing: "immediately" });
    expect(again.status).toBe(400);
    expect(again.text).toContain("already canceled");
    expect(await audit(id)).toHaveLength(3);
  });

  it("refuses a cancel without a timing and re-renders the page", async () => {
    const id = await freshSubscription();
    const res = await admin.post(`/dashboard/subscriptions/${id}/cancel`, { timing: "whenever" });
    expect(res.status).toBe(400);
    expect(res.text).toContain("Choose when the subscription ends.");
    expect(await subStatus(id)).toBe("active");
  });

  it("lets a viewer look but not cancel; a missing or wrong form token changes nothing", async () => {
    const id = await freshSubscription();
    const page = await viewer.get(`/dashboard/subscriptions/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain("Cancel now");
    expect(page.text).toContain("Your role can view subscriptions but not cancel them.");
    expect(
      (await viewer.post(`/dashboard/subscriptions/${id}/cancel`, { timing: "immediately" })).status,
    ).toBe(403);
    expect((await viewer.post(`/dashboard/subscriptions/${id}/uncancel`)).status).toBe(403);
    const noToken = await ctx.api("POST", `/dashboard/subscriptions/${id}/cancel`, {
      rawBody: "timing=immediately",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: admin.cookie },
    });
    expect(noToken.status).toBe(403);
    expect(
      (await admin.post(`/dashboard/subscriptions/${id}/cancel`, { timing: "immediately", csrf: "wrong" }))
        .status,
    ).toBe(403);
    expect(
      (
        await admin.post(
          `/dashboard/subscriptions/${id}/cancel`,
          { timing: "immediately" },
          { origin: "https://evil.example" },
        )
      ).status,
    ).toBe(403);
    expect(await subStatus(id)).toBe("active");
    expect(await audit(id)).toHaveLength(0);
  });

  it("answers 404 for another organization's or the other mode's subscription, changing nothing", async () => {
    for (const w of [other, live]) {
      expect((await admin.get(`/dashboard/subscriptions/${w.subscriptionId}`)).status).toBe(404);
      for (const timing of ["immediately", "at_end_of_current_billing_period"]) {
        expect(
          (await admin.post(`/dashboard/subscriptions/${w.subscriptionId}/cancel`, { timing })).status,
        ).toBe(404);
      }
      expect((await admin.post(`/dashboard/subscriptions/${w.subscriptionId}/uncancel`)).status).toBe(404);
      expect(await subStatus(w.subscriptionId)).toBe("active");
      expect(await audit(w.subscriptionId, w.merchant)).toHaveLength(0);
    }
    expect(await audit(other.subscriptionId)).toHaveLength(0);
  });
});

describe("dashboard invoices", () => {
  it("lists number, customer, total, status, date and a working PDF link", async () => {
    const page = await viewer.get("/dashboard/invoices");
    expect(page.status).toBe(200);
    expect(page.text).toContain(`/dashboard/invoices/${own.invoiceId}`);
    expect(page.text).toContain(own.invoiceNumber);
    expect(page.text).toContain(own.customerName);
    expect(page.text).toContain("$89.98");
    expect(page.text).toContain("Paid");
    expect(page.text).not.toContain(live.invoiceId);
    expect(page.text).not.toContain(other.invoiceId);
    const pdf = /href="http:\/\/glade\.test(\/documents\/invoices\/[^"]+\/invoice\.pdf)"/.exec(
      page.text,
    )?.[1];
    expect(pdf).toContain(own.invoiceId);
    const doc = await ctx.api("GET", pdf ?? "");
    expect(doc.status).toBe(200);
    expect(doc.headers.get("content-type")).toContain("application/pdf");
  });

  it("shows an invoice with its line items and documents", async () => {
    const page = await viewer.get(`/dashboard/invoices/${own.invoiceId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`Invoice ${own.invoiceNumber}`);
    expect(page.text).toContain("Pro · monthly seats");
    expect(page.text).toContain("Onboarding call");
    expect(page.text).toContain("$39.98");
    expect(page.text).toContain("$50.00");
    expect(page.text).toContain("Receipt PDF");
    expect(page.text).toContain(`/dashboard/subscriptions/${own.subscriptionId}`);
  });

  it("answers 404 for another organization's or the other mode's invoice", async () => {
    for (const w of [other, live]) {
      const res = await admin.get(`/dashboard/invoices/${w.invoiceId}`);
      expect(res.status).toBe(404);
      expect(res.text).toContain("There is no such invoice in this organization and mode.");
    }
  });
});

describe("dashboard checkout sessions", () => {
  const freshSession = async () => {
    const res = await ctx.api("POST", "/api/v1/checkout-sessions", {
      key: own.key,
      body: {
        checkoutSession: {
          type: "product",
          anonymous: true,
          priceId: own.oneTime.id,
          successUrl: "https://merchant.example/thanks",
          cancelUrl: "https://merchant.example/cart",
        },
      },
    });
    return res.body.checkoutSession.id as string;
  };

  it("lists the mode's sessions and filters by status", async () => {
    const page = await viewer.get("/dashboard/checkout-sessions");
    expect(page.status).toBe(200);
    expect(page.text).toContain(own.sessionId);
    expect(page.text).toContain(own.customerName);
    expect(page.text).toContain("$49.00");
    expect(page.text).not.toContain(live.sessionId);
    expect(page.text).not.toContain(other.sessionId);
    expect(page.text).not.toContain(`${own.sessionId}/expire`); // a viewer is offered no Expire
    expect((await viewer.get("/dashboard/checkout-sessions?status=open")).text).toContain(own.sessionId);
    const succeeded = await viewer.get("/dashboard/checkout-sessions?status=succeeded");
    expect(succeeded.text).not.toContain(own.sessionId);
    expect(succeeded.text).toContain("No succeeded checkout sessions.");
    expect((await viewer.get("/dashboard/checkout-sessions?status=nope")).status).toBe(400);
  });

  it("shows a session past its expiry as expired without writing it (a GET changes nothing)", async () => {
    const id = await freshSession();
    const saved = clock.now;
    clock.now += DAY + 60_000; // past the checkout session's 24 hours (and the dashboard sign-in's 12)
    try {
      const later = await signInDashboard(ctx, (await dashboardUser(ctx, m.organizationId, "admin")).email);
      const open = await later.get("/dashboard/checkout-sessions?status=open");
      expect(open.text).not.toContain(id);
      const expired = await later.get("/dashboard/checkout-sessions?status=expired");
      expect(expired.text).toContain(id);
      expect(expired.text).not.toContain(`${id}/expire`);
      expect(await sessionStatus(id)).toBe("open");
    } finally {
      clock.now = saved;
    }
  });

  it("lets an admin expire an open session, audited, keeping the filter", async () => {
    const id = await freshSession();
    const page = await admin.get("/dashboard/checkout-sessions?status=open");
    expect(page.text).toContain(`/dashboard/checkout-sessions/${id}/expire`);
    const res = await admin.post(`/dashboard/checkout-sessions/${id}/expire`, { status: "open" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/dashboard/checkout-sessions?status=open");
    expect(await sessionStatus(id)).toBe("expired");
    const entries = await audit(id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: "checkout_session.expired", objectType: "checkout_session" });
    expect(entries[0]?.before).toMatchObject({ status: "open" });
    expect(entries[0]?.after).toMatchObject({ status: "expired" });
    // Expiring it again is a no-op: nothing new in the log.
    expect((await admin.post(`/dashboard/checkout-sessions/${id}/expire`)).status).toBe(303);
    expect(await audit(id)).toHaveLength(1);
  });

  it("refuses a viewer, a missing or wrong token, and another tenant's session, changing nothing", async () => {
    const id = await freshSession();
    expect((await viewer.post(`/dashboard/checkout-sessions/${id}/expire`)).status).toBe(403);
    expect((await admin.post(`/dashboard/checkout-sessions/${id}/expire`, { csrf: "wrong" })).status).toBe(
      403,
    );
    const noToken = await ctx.api("POST", `/dashboard/checkout-sessions/${id}/expire`, {
      rawBody: "",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: admin.cookie },
    });
    expect(noToken.status).toBe(403);
    expect(await sessionStatus(id)).toBe("open");
    expect(await audit(id)).toHaveLength(0);
    for (const w of [other, live]) {
      expect((await admin.post(`/dashboard/checkout-sessions/${w.sessionId}/expire`)).status).toBe(404);
      expect(await sessionStatus(w.sessionId)).toBe("open");
      expect(await audit(w.sessionId, w.merchant)).toHaveLength(0);
    }
  });
});
