import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { majorAmountInput, parseMajorAmount } from "../../src/dashboard/amount-input.js";
import { auditLog, payments } from "../../src/db/schema/index.js";
import {
  createCustomer,
  type DashboardVisit,
  dashboardUser,
  type PortalWorld,
  portalWorld,
  signInDashboard,
  testContext,
} from "../support/index.js";

const ctx = await testContext();

/** A paying customer ($9.00 monthly, Visa 4242) in its own organization, and a dashboard user there. */
async function world(role: "owner" | "admin" | "viewer" = "owner", externalId = "dash-cus") {
  const w = await portalWorld(ctx, { externalId });
  const user = await dashboardUser(ctx, w.f.merchant.organizationId, role);
  const visit = await signInDashboard(ctx, user.email);
  const [payment] = await ctx.deps.db.select().from(payments).where(eq(payments.customerId, w.customerId));
  if (!payment) throw new Error("the world has no payment");
  return { w, visit, paymentId: payment.id };
}

async function paymentRow(id: string) {
  const [row] = await ctx.deps.db.select().from(payments).where(eq(payments.id, id));
  if (!row) throw new Error(`no payment ${id}`);
  return row;
}

async function auditOf(w: PortalWorld) {
  return ctx.deps.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.organizationId, w.f.merchant.organizationId), eq(auditLog.objectType, "payment")));
}

/** The refund's two steps as a browser takes them: the review page's question, then its Confirm POST. */
async function refund(visit: DashboardVisit, paymentId: string, amount: string) {
  const review = await visit.get(
    `/dashboard/payments/${paymentId}/refund?amount=${encodeURIComponent(amount)}`,
  );
  const posted = await visit.post(`/dashboard/payments/${paymentId}/refund`, { amount });
  return { review, posted };
}

describe("dashboard customers", () => {
  it("lists customers newest first and finds them by email, name or externalId, any case", async () => {
    const { w, visit } = await world("viewer");
    const key = w.key;
    await createCustomer(ctx, key, "ext-ALPHA-1", { email: "ada@lovelace.example", name: "Ada Lovelace" });
    await createCustomer(ctx, key, "ext-beta-2", { email: "grace@hopper.example", name: "Grace Hopper" });
    await createCustomer(ctx, key, "ext-gamma-3", { email: "alan_t@turing.example", name: "Alan Turing" });

    const all = await visit.get("/dashboard/customers");
    expect(all.status).toBe(200);
    const order = ["Alan Turing", "Grace Hopper", "Ada Lovelace", "Customer dash-cus"].map((n) =>
      all.text.indexOf(n),
    );
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);

    const byEmail = await visit.get("/dashboard/customers?q=LOVELACE.EX");
    expect(byEmail.text).toContain("Ada Lovelace");
    expect(byEmail.text).not.toContain("Grace Hopper");
    expect(byEmail.text).toContain("1 customer matches");
    const byName = await visit.get("/dashboard/customers?q=grace%20hop");
    expect(byName.text).toContain("Grace Hopper");
    expect(byName.text).not.toContain("Ada Lovelace");
    const byExternal = await visit.get("/dashboard/customers?q=ext-alpha");
    expect(byExternal.text).toContain("Ada Lovelace");
    expect(byExternal.text).not.toContain("Alan Turing");
    // LIKE wildcards are literal: "_" matches only the underscore in alan_t, "%" matches nothing.
    const underscore = await visit.get("/dashboard/customers?q=n_t");
    expect(underscore.text).toContain("Alan Turing");
    expect(underscore.text).not.toContain("Ada Lovelace");
    const percent = await visit.get("/dashboard/customers?q=%25");
    expect(percent.text).toContain("No customer matches");
    const escaped = await visit.get("/dashboard/customers?q=%3Cscript%3E");
    expect(escaped.text).toContain("&lt;script&gt;");
    expect(escaped.text).not.toContain("<script>");
  });

  it("pages through customers with the search kept in the Older link", async () => {
    const { w, visit } = await world("viewer");
    await Promise.all(
      Array.from({ length: 27 }, (_, i) =>
        createCustomer(ctx, w.key, `page-${String(i).padStart(2, "0")}`, { name: `Paged ${i}` }),
      ),
    );
    const first = await visit.get("/dashboard/customers?q=page-");
    expect(first.text).toContain("27 customers match");
    const older = /href="(\/dashboard\/customers\?q=page-&amp;cursor=[^"]+)"/.exec(first.text)?.[1];
    expect(older).toBeDefined();
    const second = await visit.get((older ?? "").replaceAll("&amp;", "&"));
    expect(second.status).toBe(200);
    const names = (text: string) => [...text.matchAll(/>Paged (\d+)</g)].map((m) => m[1]);
    expect(names(first.text)).toHaveLength(25);
    expect(names(second.text)).toHaveLength(2);
    expect(new Set([...names(first.text), ...names(second.text)]).size).toBe(27);
    expect((await visit.get("/dashboard/customers?cursor=nonsense")).status).toBe(400);
  });

  it("counts a broad search's matches only up to a thousand, and finds a rare one among them", async () => {
    const { w, visit } = await world("viewer");
    const org = w.f.merchant.organizationId;
    await ctx.deps.db.execute(sql`
      insert into customers (id, organization_id, livemode, pricing_model_id, external_id, email, name,
        created_at, updated_at)
      select 'cus_broad_' || g, ${org}, false, ${w.f.pricingModelId}, 'broad-' || g, 'broad' || g || '@example.com',
        'Broad ' || g, now(), now()
      from generate_series(1, 1003) as g`);
    const broad = await visit.get("/dashboard/customers?q=broad");
    expect(broad.text).toContain("More than 1,000 customers match");
    expect([...broad.text.matchAll(/>Broad \d+</g)]).toHaveLength(25);
    // Found through the trigram index, in any field and any case.
    const rare = await visit.get("/dashboard/customers?q=BROAD1002%40EXAMPLE");
    expect(rare.text).toContain("1 customer matches");
    expect(rare.text).toContain(">Broad 1002<");
    // Fields are searched one by one: text spanning the end of the email and the start of the name finds nothing.
    expect((await visit.get("/dashboard/customers?q=example.comBroad")).text).toContain(
      "No customer matches",
    );
  });

  it("shows a customer's details, subscription, payment, invoice, card and events", async () => {
    const { w, visit, paymentId } = await world("viewer");
    const page = await visit.get(`/dashboard/customers/${w.customerId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("dash-cus@example.com");
    expect(page.text).toContain(w.subscriptionId);
    expect(page.text).toContain(`href="/dashboard/payments/${paymentId}"`);
    expect(page.text).toContain("$9.00");
    expect(page.text).toContain("Visa ending in 4242");
    expect(page.text).toMatch(/href="[^"]+\/documents\/invoices\/[^"]+\.pdf"/);
    for (const type of ["customer.created", "subscription.created", "payment.succeeded"]) {
      expect(page.text).toContain(type);
    }
  });

  it("lists payments and shows one", async () => {
    const { visit, paymentId } = await world("viewer");
    const list = await visit.get("/dashboard/payments");
    expect(list.text).toContain(`href="/dashboard/payments/${paymentId}"`);
    const page = await visit.get(`/dashboard/payments/${paymentId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Payment of $9.00");
    expect(page.text).toContain("Visa ending in 4242");
    expect(page.text).toContain("can view payments but not refund them");
    expect(page.text).not.toContain('id="refund-amount"');
  });
});

describe("refund amounts typed in major units", () => {
  it("reads them without floating point, by the currency's decimal places", () => {
    expect(parseMajorAmount("3.50", "USD")).toEqual({ amount: 350 });
    expect(parseMajorAmount(" 3.5 ", "usd")).toEqual({ amount: 350 });
    expect(parseMajorAmount("0.29", "USD")).toEqual({ amount: 29 });
    expect(parseMajorAmount("500", "JPY")).toEqual({ amount: 500 });
    expect(parseMajorAmount("5.5", "JPY")).toEqual({ error: "JPY amounts have no decimal places." });
    expect(parseMajorAmount("1e3", "USD")).toHaveProperty("error");
    expect(parseMajorAmount("99999999999999999", "USD")).toHaveProperty("error");
    expect(majorAmountInput(550, "USD")).toBe("5.50");
    expect(majorAmountInput(5, "USD")).toBe("0.05");
    expect(majorAmountInput(500, "JPY")).toBe("500");
  });
});

describe("dashboard refunds", () => {
  it("refunds part after a confirm step, then the rest, each audited with before and after", async () => {
    const { w, visit, paymentId } = await world("owner");
    const page = await visit.get(`/dashboard/payments/${paymentId}`);
    expect(page.text).toMatch(/id="refund-amount"[^>]*value="9.00"/);

    const { review, posted } = await refund(visit, paymentId, "3.50");
    expect(review.status).toBe(200);
    expect(review.text).toContain("Refund $3.50 of $9.00 to Visa ending in 4242?");
    expect(review.text).toContain("Confirm refund");
    expect(posted.status).toBe(303);
    expect(posted.headers.get("location")).toBe(`/dashboard/payments/${paymentId}?notice=refunded`);
    expect(await paymentRow(paymentId)).toMatchObject({ refundedAmount: 350, status: "succeeded" });
    const after = await visit.get(`/dashboard/payments/${paymentId}?notice=refunded`);
    expect(after.text).toContain("$3.50 of this payment has been refunded");
    expect(after.text).toMatch(/id="refund-amount"[^>]*value="5.50"/);

    const [entry] = await auditOf(w);
    expect(entry).toMatchObject({
      action: "payment.refunded",
      objectId: paymentId,
      actorType: "user",
      before: { refundedAmount: 0, status: "succeeded", amount: 900 },
      after: { refundedAmount: 350, status: "succeeded", refundAmount: 350 },
    });

    const rest = await refund(visit, paymentId, "5.5");
    expect(rest.review.text).toContain("Refund $5.50 of $9.00 to Visa ending in 4242?");
    expect(rest.posted.status).toBe(303);
    expect(await paymentRow(paymentId)).toMatchObject({ refundedAmount: 900, status: "refunded" });
    expect(await auditOf(w)).toHaveLength(2);
    const done = await visit.get(`/dashboard/payments/${paymentId}`);
    expect(done.text).not.toContain('id="refund-amount"');
  });

  it("an admin refunds too", async () => {
    const { visit, paymentId } = await world("admin");
    expect((await refund(visit, paymentId, "1.00")).posted.status).toBe(303);
    expect((await paymentRow(paymentId)).refundedAmount).toBe(100);
  });

  it("shows errors next to the field for an amount above what is left or not a number, refunding nothing", async () => {
    const { w, visit, paymentId } = await world("owner");
    const cases: [string, RegExp][] = [
      ["9.01", /more than the \$9\.00 left to refund/],
      ["abc", /Enter the amount as a number, like 3\.50/],
      ["-1", /Enter the amount as a number/],
      ["1.234", /at most 2 decimal places/],
      ["0", /above zero/],
      ["", /Enter the amount as a number/],
    ];
    for (const [amount, message] of cases) {
      const { review, posted } = await refund(visit, paymentId, amount);
      for (const res of [review, posted]) {
        expect(res.status, amount).toBe(400);
        expect(res.text).toMatch(
          /id="refund-amount"[^>]*aria-invalid="true"[^>]*aria-describedby="refund-amount-error"/,
        );
        const error =
          /<p class="field-error" id="refund-amount-error">([^<]*)<\/p>/.exec(res.text)?.[1] ?? "";
        expect(error, amount).toMatch(message);
      }
    }
    expect((await paymentRow(paymentId)).refundedAmount).toBe(0);
    expect(await auditOf(w)).toHaveLength(0);
  });

  it("refuses a viewer (403) and a missing or wrong form token (403), changing nothing", async () => {
    const viewer = await world("viewer");
    expect(
      (await viewer.visit.get(`/dashboard/payments/${viewer.paymentId}/refund?amount=1.00`)).status,
    ).toBe(403);
    const byViewer = await viewer.visit.post(`/dashboard/payments/${viewer.paymentId}/refund`, {
      amount: "1.00",
    });
    expect(byViewer.status).toBe(403);
    expect((await paymentRow(viewer.paymentId)).refundedAmount).toBe(0);
    expect(await auditOf(viewer.w)).toHaveLength(0);

    const owner = await world("owner");
    const path = `/dashboard/payments/${owner.paymentId}/refund`;
    const noToken = await ctx.api("POST", path, {
      rawBody: "amount=1.00",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: owner.visit.cookie },
    });
    expect(noToken.status).toBe(403);
    const wrongToken = await ctx.api("POST", path, {
      rawBody: `amount=1.00&csrf=${"x".repeat(owner.visit.csrf.length)}`,
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: owner.visit.cookie },
    });
    expect(wrongToken.status).toBe(403);
    const crossSite = await owner.visit.post(path, { amount: "1.00" }, { origin: "https://evil.example" });
    expect(crossSite.status).toBe(403);
    expect((await paymentRow(owner.paymentId)).refundedAmount).toBe(0);
    expect(await auditOf(owner.w)).toHaveLength(0);
  });

  it("answers 404 for another organization's and the other mode's customer and payment, changing nothing", async () => {
    const mine = await world("owner", "mine");
    const theirs = await world("owner", "theirs");
    const foreign = [
      `/dashboard/customers/${theirs.w.customerId}`,
      `/dashboard/payments/${theirs.paymentId}`,
      `/dashboard/payments/${theirs.paymentId}/refund?amount=1.00`,
    ];
    for (const path of foreign) expect((await mine.visit.get(path)).status, path).toBe(404);
    const post = await mine.visit.post(`/dashboard/payments/${theirs.paymentId}/refund`, { amount: "1.00" });
    expect(post.status).toBe(404);
    expect((await mine.visit.get("/dashboard/customers?q=theirs")).text).toContain("No customer matches");
    expect((await mine.visit.get("/dashboard/payments")).text).not.toContain(theirs.paymentId);

    // The same session switched to live data: its own test-mode ids are not found there.
    const switched = await mine.visit.post("/dashboard/view", {
      livemode: "true",
      back: "/dashboard/payments",
    });
    expect(switched.status).toBe(303);
    const own = [
      `/dashboard/customers/${mine.w.customerId}`,
      `/dashboard/payments/${mine.paymentId}`,
      `/dashboard/payments/${mine.paymentId}/refund?amount=1.00`,
    ];
    for (const path of own) expect((await mine.visit.get(path)).status, path).toBe(404);
    const live = await mine.visit.post(`/dashboard/payments/${mine.paymentId}/refund`, { amount: "1.00" });
    expect(live.status).toBe(404);
    expect((await mine.visit.get("/dashboard/payments")).text).not.toContain(mine.paymentId);
    expect((await mine.visit.get("/dashboard/customers")).text).not.toContain(mine.w.customerId);

    for (const w of [mine, theirs]) {
      expect((await paymentRow(w.paymentId)).refundedAmount).toBe(0);
      expect(await auditOf(w.w)).toHaveLength(0);
    }
  });
});
