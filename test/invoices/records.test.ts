import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { customers, invoices } from "../../src/db/schema/index.js";
import {
  createInvoice,
  listInvoicesWithLinesForCustomer,
  listOpenInvoicesForSubscription,
  markInvoicePaid,
} from "../../src/invoices/index.js";
import { createPurchase, listPurchasesForCustomer } from "../../src/purchases/index.js";
import { type BillingFixture, billingFixture, eventsFor, testContext } from "../support/index.js";

const ctx = await testContext();

function openInvoice(
  f: BillingFixture,
  lines: { quantity: number; unitPrice: number }[],
  subscriptionId?: string,
) {
  return ctx.deps.db.transaction((tx) =>
    createInvoice(
      tx,
      f.merchant,
      {
        customerId: f.customerId,
        pricingModelId: f.pricingModelId,
        type: subscriptionId ? "subscription" : "standalone",
        currency: "usd",
        lines: lines.map((l, i) => ({ priceId: f.oneTime.id, description: `Line ${i + 1}`, ...l })),
        status: "open",
        subscriptionId,
      },
      ctx.deps.now(),
    ),
  );
}

describe("createInvoice", () => {
  it("computes line amounts and totals on the server", async () => {
    const f = await billingFixture(ctx);
    const { invoice, lines } = await openInvoice(f, [
      { quantity: 3, unitPrice: 1999 },
      { quantity: 1, unitPrice: 1 },
    ]);
    expect(lines.map((l) => l.amount)).toEqual([5997, 1]);
    expect(invoice).toMatchObject({
      subtotal: 5998,
      total: 5998,
      amountPaid: 0,
      status: "open",
      currency: "USD",
      paidAt: null,
    });
    // The invoice handed back (numbered by its own insert) is exactly what was stored.
    const [stored] = await ctx.deps.db.select().from(invoices).where(eq(invoices.id, invoice.id));
    expect(invoice).toEqual(stored);
    expect(await eventsFor(ctx, invoice.id)).toEqual([]);
  });

  it("refuses amounts that would not be exact, and empty or malformed lines", async () => {
    const f = await billingFixture(ctx);
    await expect(openInvoice(f, [{ quantity: 2, unitPrice: Number.MAX_SAFE_INTEGER }])).rejects.toMatchObject(
      {
        code: "BAD_REQUEST",
      },
    );
    await expect(openInvoice(f, [])).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(openInvoice(f, [{ quantity: 0, unitPrice: 100 }])).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(openInvoice(f, [{ quantity: 1, unitPrice: 10.5 }])).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("numbers each customer's invoices in its own sequence, uniquely under 20 concurrent creations", async () => {
    const f = await billingFixture(ctx);
    const [customer] = await ctx.deps.db.select().from(customers).where(eq(customers.id, f.customerId));
    const base = customer?.invoiceNumberBase;
    expect(base).toMatch(/^[0-9A-F]{8}$/);
    const created = await Promise.all(
      Array.from({ length: 20 }, () => openInvoice(f, [{ quantity: 1, unitPrice: 100 }])),
    );
    const numbers = created.map((c) => c.invoice.invoiceNumber);
    expect([...numbers].sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `${base}-${String(i + 1).padStart(4, "0")}`),
    );
    // Another customer (here of another merchant) starts its own sequence under its own prefix.
    const other = await billingFixture(ctx);
    const [otherCustomer] = await ctx.deps.db
      .select()
      .from(customers)
      .where(eq(customers.id, other.customerId));
    expect((await openInvoice(other, [{ quantity: 1, unitPrice: 100 }])).invoice.invoiceNumber).toBe(
      `${otherCustomer?.invoiceNumberBase}-0001`,
    );
  });

  it("refuses to number an invoice for a customer of another merchant or mode", async () => {
    const f = await billingFixture(ctx);
    const live = { ...f, merchant: { ...f.merchant, livemode: true } };
    await expect(openInvoice(live, [{ quantity: 1, unitPrice: 100 }])).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const other = await billingFixture(ctx);
    await expect(
      openInvoice({ ...f, merchant: other.merchant }, [{ quantity: 1, unitPrice: 100 }]),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await ctx.deps.db.select().from(invoices).where(eq(invoices.customerId, f.customerId))).toEqual(
      [],
    );
  });

  it("marks a paid invoice paid at creation and announces it once", async () => {
    const f = await billingFixture(ctx);
    const { invoice } = await ctx.deps.db.transaction((tx) =>
      createInvoice(
        tx,
        f.merchant,
        {
          customerId: f.customerId,
          pricingModelId: f.pricingModelId,
          type: "purchase",
          currency: "USD",
          lines: [{ priceId: f.oneTime.id, description: "Pro", quantity: 2, unitPrice: 1999 }],
          status: "paid",
        },
        ctx.deps.now(),
      ),
    );
    expect(invoice).toMatchObject({ status: "paid", amountPaid: 3998, total: 3998 });
    expect(invoice.paidAt).toBeInstanceOf(Date);
    expect((await eventsFor(ctx, invoice.id)).map((e) => e.type)).toEqual(["invoice.paid"]);
  });

  it("pays an open invoice exactly once", async () => {
    const f = await billingFixture(ctx);
    const { invoice } = await openInvoice(f, [{ quantity: 2, unitPrice: 500 }], "sub_fixture_1");
    expect(
      (await listOpenInvoicesForSubscription(ctx.deps.db, f.merchant, "sub_fixture_1")).map((i) => i.id),
    ).toEqual([invoice.id]);
    const paid = await ctx.deps.db.transaction((tx) =>
      markInvoicePaid(tx, f.merchant, invoice.id, ctx.deps.now()),
    );
    const again = await ctx.deps.db.transaction((tx) =>
      markInvoicePaid(tx, f.merchant, invoice.id, ctx.deps.now()),
    );
    expect(paid).toMatchObject({ status: "paid", amountPaid: 1000 });
    expect(again.paidAt?.getTime()).toBe(paid.paidAt?.getTime());
    expect((await eventsFor(ctx, invoice.id)).map((e) => e.type)).toEqual(["invoice.paid"]);
    expect(await listOpenInvoicesForSubscription(ctx.deps.db, f.merchant, "sub_fixture_1")).toEqual([]);
    await expect(
      ctx.deps.db.transaction((tx) =>
        markInvoicePaid(tx, { ...f.merchant, livemode: true }, invoice.id, ctx.deps.now()),
      ),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("invoices API", () => {
  it("retrieves an invoice with its line items and lists both", async () => {
    const f = await billingFixture(ctx);
    const { invoice, lines } = await openInvoice(f, [{ quantity: 3, unitPrice: 1999 }]);
    const res = await ctx.api("GET", `/api/v1/invoices/${invoice.id}`, { key: f.key });
    expect(res.status).toBe(200);
    expect(res.body.invoice).toEqual({
      id: invoice.id,
      invoiceNumber: invoice.invoiceNumber,
      status: "open",
      type: "standalone",
      customerId: f.customerId,
      purchaseId: null,
      subscriptionId: null,
      billingPeriodId: null,
      billingRunId: null,
      currency: "USD",
      subtotal: 5997,
      total: 5997,
      amountPaid: 0,
      discountAmount: 0,
      memo: null,
      pdfURL: `http://glade.test/documents/invoices/${invoice.id}/${invoice.documentToken}/invoice.pdf`,
      receiptPdfURL: null,
      applicationFee: null,
      bankPaymentOnly: false,
      ownerMembershipId: null,
      taxAmount: 0,
      taxRatePercentage: null,
      taxState: null,
      taxCountry: null,
      taxType: null,
      invoiceDate: invoice.invoiceDate.getTime(),
      dueDate: null,
      paidAt: null,
      livemode: false,
      organizationId: f.m.organizationId,
      pricingModelId: f.pricingModelId,
      createdAt: invoice.createdAt.getTime(),
      updatedAt: invoice.updatedAt.getTime(),
    });
    const line = lines[0];
    expect(res.body.invoiceLineItems).toEqual([
      {
        id: line?.id,
        invoiceId: invoice.id,
        pricingModelId: f.pricingModelId,
        priceId: f.oneTime.id,
        description: "Line 1",
        quantity: 3,
        price: 1999,
        amount: 5997,
        type: "static",
        usageMeterId: null,
        billingRunId: null,
        ledgerAccountId: null,
        ledgerAccountCredit: null,
        livemode: false,
        createdAt: line?.createdAt.getTime(),
        updatedAt: line?.updatedAt.getTime(),
      },
    ]);

    const unwrapped = await ctx.api("GET", `/api/v1/invoice-line-items/${line?.id}`, { key: f.key });
    expect(unwrapped.status).toBe(200);
    expect(unwrapped.body).toEqual(res.body.invoiceLineItems[0]);

    const list = await ctx.api("GET", "/api/v1/invoices", { key: f.key });
    expect(list.body).toMatchObject({ total: 1, hasMore: false });
    expect(list.body.data[0]).toEqual(res.body.invoice);
    const lineList = await ctx.api("GET", `/api/v1/invoice-line-items?invoiceId=${invoice.id}`, {
      key: f.key,
    });
    expect(lineList.body.data).toEqual(res.body.invoiceLineItems);
  });

  it("pages through invoices with nextCursor", async () => {
    const f = await billingFixture(ctx);
    for (let i = 0; i < 3; i++) await openInvoice(f, [{ quantity: 1, unitPrice: 100 + i }]);
    const first = await ctx.api("GET", "/api/v1/invoices?limit=2", { key: f.key });
    expect(first.body).toMatchObject({ total: 3, hasMore: true });
    const second = await ctx.api("GET", `/api/v1/invoices?limit=2&cursor=${first.body.nextCursor}`, {
      key: f.key,
    });
    expect(second.body.hasMore).toBe(false);
    expect(second.body.data.map((i: any) => i.total)).toEqual([100]);
  });

  it("hides invoices and line items from other organizations and the other mode", async () => {
    const f = await billingFixture(ctx);
    const { invoice, lines } = await openInvoice(f, [{ quantity: 1, unitPrice: 100 }]);
    const stranger = await ctx.merchant();
    for (const key of [stranger.testKey, f.m.liveKey]) {
      for (const path of [`/api/v1/invoices/${invoice.id}`, `/api/v1/invoice-line-items/${lines[0]?.id}`]) {
        const res = await ctx.api("GET", path, { key });
        expect(res.status).toBe(404);
        expect(res.body.code).toBe("NOT_FOUND");
      }
      expect((await ctx.api("GET", "/api/v1/invoices", { key })).body.total).toBe(0);
      expect((await ctx.api("GET", "/api/v1/invoice-line-items", { key })).body.total).toBe(0);
    }
  });

  it("rejects a bad list query with 400", async () => {
    const f = await billingFixture(ctx);
    expect((await ctx.api("GET", "/api/v1/invoices?limit=0", { key: f.key })).status).toBe(400);
    expect((await ctx.api("GET", "/api/v1/invoices?cursor=garbage", { key: f.key })).status).toBe(400);
  });

  it("gives the billing view each invoice with its own lines", async () => {
    const f = await billingFixture(ctx);
    const a = await openInvoice(f, [{ quantity: 1, unitPrice: 100 }]);
    const b = await openInvoice(f, [
      { quantity: 2, unitPrice: 50 },
      { quantity: 1, unitPrice: 7 },
    ]);
    const view = await listInvoicesWithLinesForCustomer(
      ctx.deps.db,
      f.merchant,
      f.customerId,
      ctx.deps.config.publicUrl,
    );
    expect(view.map((v) => [v.invoice.id, v.invoiceLineItems.length])).toEqual([
      [b.invoice.id, 2],
      [a.invoice.id, 1],
    ]);
    expect(
      await listInvoicesWithLinesForCustomer(
        ctx.deps.db,
        { ...f.merchant, livemode: true },
        f.customerId,
        ctx.deps.config.publicUrl,
      ),
    ).toEqual([]);
  });
});

describe("purchases", () => {
  it("creates a paid purchase valued at price × quantity and serves it", async () => {
    const f = await billingFixture(ctx);
    const purchase = await ctx.deps.db.transaction((tx) =>
      createPurchase(
        tx,
        f.merchant,
        {
          customerId: f.customerId,
          pricingModelId: f.pricingModelId,
          price: f.oneTime,
          name: "Pro lifetime",
          quantity: 3,
          status: "paid",
          metadata: { plan: "pro" },
        },
        ctx.deps.now(),
      ),
    );
    expect(purchase).toMatchObject({
      firstInvoiceValue: 5997,
      totalPurchaseValue: 5997,
      priceType: "single_payment",
    });
    expect((await eventsFor(ctx, purchase.id)).map((e) => e.type)).toEqual(["purchase.completed"]);

    const res = await ctx.api("GET", `/api/v1/purchases/${purchase.id}`, { key: f.key });
    expect(res.status).toBe(200);
    expect(res.body.purchase).toEqual({
      id: purchase.id,
      customerId: f.customerId,
      priceId: f.oneTime.id,
      productId: f.oneTime.productId,
      priceType: "single_payment",
      name: "Pro lifetime",
      quantity: 3,
      status: "paid",
      currency: "USD",
      firstInvoiceValue: 5997,
      totalPurchaseValue: 5997,
      pricePerBillingCycle: null,
      intervalUnit: null,
      intervalCount: null,
      trialPeriodDays: null,
      archived: false,
      bankPaymentOnly: false,
      proposal: null,
      position: expect.any(Number),
      metadata: { plan: "pro" },
      purchaseDate: purchase.purchaseDate?.getTime(),
      endDate: null,
      livemode: false,
      organizationId: f.m.organizationId,
      pricingModelId: f.pricingModelId,
      createdAt: purchase.createdAt.getTime(),
      updatedAt: purchase.updatedAt.getTime(),
    });
    const list = await ctx.api("GET", "/api/v1/purchases", { key: f.key });
    expect(list.body.data.map((p: any) => p.id)).toEqual([purchase.id]);
    expect((await listPurchasesForCustomer(ctx.deps.db, f.merchant, f.customerId)).map((p) => p.id)).toEqual([
      purchase.id,
    ]);
  });

  it("hides purchases from other organizations and the other mode", async () => {
    const f = await billingFixture(ctx);
    const purchase = await ctx.deps.db.transaction((tx) =>
      createPurchase(
        tx,
        f.merchant,
        {
          customerId: f.customerId,
          pricingModelId: f.pricingModelId,
          price: f.oneTime,
          name: "Pro",
          quantity: 1,
          status: "paid",
        },
        ctx.deps.now(),
      ),
    );
    const stranger = await ctx.merchant();
    for (const key of [stranger.testKey, f.m.liveKey]) {
      const res = await ctx.api("GET", `/api/v1/purchases/${purchase.id}`, { key });
      expect(res.status).toBe(404);
      expect((await ctx.api("GET", "/api/v1/purchases", { key })).body.total).toBe(0);
    }
    expect(
      await listPurchasesForCustomer(ctx.deps.db, { ...f.merchant, livemode: true }, f.customerId),
    ).toEqual([]);
  });
});
