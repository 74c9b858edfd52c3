import type { Flowglad } from "@flowglad/node";
import { beforeAll, describe, expect, it } from "vitest";
import { renewSubscription } from "../../src/subscriptions/index.js";
import {
  catalogFixture,
  DAY,
  flowgladClient,
  PERIOD_END,
  PERIOD_START,
  payCheckout,
  recordUsage,
  renewalInvoice,
  serveGlade,
  settableClock,
  subscribe,
  usageWorld,
} from "../support/index.js";
import { writeResponses } from "../support/parity-writes.js";
import { type CheckResult, SdkTypes } from "../support/sdk-types.js";

/**
 * Every record the official client reads, held to `@flowglad/node`'s own type declarations: a missing field, a
 * wrong type or a value outside a declared enum fails, naming its path. Fields Glade adds beyond the types
 * (e.g. an invoice's `total`) are allowed.
 */
const clock = settableClock();
const glade = await serveGlade({ now: clock.now });
const types = new SdkTypes();
const URLS = { successUrl: "https://merchant.example/done", cancelUrl: "https://merchant.example/cart" };

/** What the walk collected: each response with the SDK type it must satisfy. */
const checked: { what: string; file: string; type: string; value: unknown }[] = [];

/**
 * What ships in the package but is not attached to the client, so no merchant code can call it: `catalogs`
 * (`/api/v1/catalogs`, pricing models' former name).
 */
const NOT_ATTACHED = /^catalogs\./;

/**
 * Where Glade says more than the type allows, on purpose; anything else that differs fails.
 * - A product session keeps the invoice its checkout made (Flowglad's type has `invoiceId?: null`), so a
 *   merchant can go from the session to its invoice.
 * - A card saved without an address (none collected) has `billingDetails.address: null` rather than an
 *   invented one.
 */
const DELIBERATE: RegExp[] = [
  /^[^(]*\(CheckoutSession\w+\) \$(\.checkoutSession|\.data\[\d+\])\.invoiceId: expected null, got "inv_/,
  /\.billingDetails\.address: expected an object, got null$/,
];
const expectFits = (what: string, file: string, type: string, value: unknown) =>
  checked.push({ what, file, type, value });

type World = {
  client: Flowglad;
  ids: Record<string, string>;
};
let world: World;

beforeAll(async () => {
  // A renewal with usage, on the test clock: a usage line item, a renewal invoice and payment.
  clock.set(new Date(PERIOD_START - DAY));
  const w = await usageWorld(glade.ctx);
  const { subscription: metered } = await subscribe(glade.ctx, w);
  clock.set(new Date(PERIOD_START + 10 * DAY));
  await recordUsage(glade.ctx, w.merchant, {
    subscriptionId: metered.id,
    meter: w.calls,
    price: w.callsPrice,
    amount: 250,
  });
  clock.set(new Date(PERIOD_END + 60_000));
  await renewSubscription(glade.ctx.deps, w.merchant, metered.id);
  clock.set(undefined);
  const renewal = await renewalInvoice(glade.ctx, metered.id, PERIOD_END);
  const usageLine = renewal.usage[0];
  const renewalPayment = renewal.payments[0];
  if (!usageLine || !renewalPayment) throw new Error("the renewal billed no usage");

  // Checkouts of every kind on another tenant, through the hosted page as a customer pays.
  const f = await catalogFixture(glade.ctx);
  const client = flowgladClient(glade, f.merchant.testKey);
  const customer = (
    await client.customers.create({ customer: { externalId: "parity", email: "p@example.com", name: "P" } })
  ).data.customer;
  const pay = async (priceId: string, quantity = 1) => {
    const { checkoutSession } = await client.checkoutSessions.create({
      checkoutSession: { type: "product", customerExternalId: "parity", priceId, quantity, ...URLS },
    });
    await payCheckout(glade.ctx, checkoutSession.id);
    // Glade's session also names what the checkout made (beyond the SDK's type).
    return (await client.checkoutSessions.retrieve(checkoutSession.id)).checkoutSession as unknown as {
      id: string;
      subscriptionId: string | null;
      paymentId: string | null;
      invoiceId: string | null;
      paymentMethodId: string | null;
    };
  };
  const oneTime = await pay(f.oneTimePriceId, 2);
  const monthly = await pay(f.monthlyPriceId);
  const trial = await pay(f.trialPriceId);
  const anonymous = await client.checkoutSessions.create({
    checkoutSession: { type: "product", anonymous: true, priceId: f.oneTimePriceId, ...URLS },
  });
  const addCard = await client.checkoutSessions.create({
    checkoutSession: {
      type: "add_payment_method",
      customerExternalId: "parity",
      targetSubscriptionId: monthly.subscriptionId as string,
      ...URLS,
    },
  });
  const noCard = (
    await client.customers.create({ customer: { externalId: "no-card", email: "n@example.com", name: "N" } })
  ).data.customer;
  const incomplete = await client.subscriptions.create({ customerId: noCard.id, priceId: f.monthlyPriceId });
  const activate = await client.checkoutSessions.create({
    checkoutSession: {
      type: "activate_subscription",
      customerExternalId: "no-card",
      targetSubscriptionId: incomplete.subscription.id,
      ...URLS,
    },
  });
  // Activation gives the incomplete subscription its first period, which its first invoice then names.
  await payCheckout(glade.ctx, activate.checkoutSession.id);
  const oneTimePayment = oneTime.paymentId as string;
  const monthlyPayment = monthly.paymentId as string;
  const partial = await client.payments.refund(oneTimePayment, { partialAmount: 100 });
  const full = await client.payments.refund(monthlyPayment, {});
  const discount = await client.discounts.create({
    discount: {
      name: "Three",
      code: "THREE",
      amountType: "fixed",
      amount: 300,
      duration: "number_of_payments",
      numberOfPayments: 3,
    },
  });
  const onceDiscount = await client.discounts.create({
    discount: { name: "Once", code: "ONCE", amountType: "percent", amount: 10, duration: "once" },
  });
  const renamedDiscount = await client.discounts.update(onceDiscount.discount.id, {
    discount: {
      id: onceDiscount.discount.id,
      name: "Once more",
      code: "ONCE",
      amountType: "percent",
      amount: 12,
      duration: "once",
    },
  });
  await client.discounts.create({
    discount: { name: "Always", code: "ALWAYS", amountType: "percent", amount: 5, duration: "forever" },
  });

  expectFits("customers.create", "customers", "CustomerCreateResponse", { data: { customer } });
  expectFits("refund (partial)", "payments", "PaymentRefundResponse", partial);
  expectFits("refund (full)", "payments", "PaymentRefundResponse", full);
  expectFits("subscriptions.create", "subscriptions", "SubscriptionCreateResponse", incomplete);
  expectFits("discounts.create", "discounts", "DiscountCreateResponse", discount);
  expectFits("discounts.update", "discounts", "DiscountUpdateResponse", renamedDiscount);
  for (const [what, session] of [
    ["anonymous product session", anonymous],
    ["add_payment_method session", addCard],
    ["activate_subscription session", activate],
  ] as const) {
    expectFits(what, "checkout-sessions", "CheckoutSessionCreateResponse", session);
  }

  const metredClient = flowgladClient(glade, w.m.testKey);
  world = {
    client,
    ids: {
      customerExternalId: "parity",
      oneTimeSession: oneTime.id,
      monthlySession: monthly.id,
      trialSession: trial.id,
      oneTimePayment,
      monthlyPayment,
      oneTimeInvoice: oneTime.invoiceId as string,
      monthlyInvoice: monthly.invoiceId as string,
      monthlySubscription: monthly.subscriptionId as string,
      trialSubscription: trial.subscriptionId as string,
      paymentMethod: monthly.paymentMethodId as string,
      productId: f.productId,
      pricingModelId: f.pricingModelId,
      discountId: discount.discount.id,
    },
  };

  // The metered tenant's renewal records, read through its own key.
  expectFits("renewal invoice (usage)", "invoices", "InvoiceRetrieveResponse", {
    ...(await metredClient.invoices.retrieve(renewal.invoice.id)),
  });
  expectFits(
    "usage line item",
    "invoice-line-items",
    "InvoiceLineItemRetrieveResponse",
    await metredClient.invoiceLineItems.retrieve(usageLine.id),
  );
  expectFits(
    "renewal payment",
    "payments",
    "PaymentRetrieveResponse",
    await metredClient.payments.retrieve(renewalPayment.id),
  );
  expectFits(
    "metered subscription",
    "subscriptions",
    "SubscriptionRetrieveResponse",
    await metredClient.subscriptions.retrieve(metered.id),
  );
  expectFits(
    "metered billing",
    "customers",
    "CustomerRetrieveBillingResponse",
    await metredClient.customers.retrieveBilling(w.externalId),
  );
  expectFits("usage meters", "usage-meters", "UsageMeterListResponse", await metredClient.usageMeters.list());

  // The writes' answers, on tenants of their own.
  checked.push(...(await writeResponses(glade)));
});

describe("records match @flowglad/node's declared types", () => {
  it("reads every record type back through the official client", async () => {
    const { client, ids } = world;
    const reads: [string, string, string, () => Promise<unknown>][] = [
      [
        "customer",
        "customers",
        "CustomerRetrieveResponse",
        () => client.customers.retrieve(ids.customerExternalId as string),
      ],
      ["customers", "customers", "CustomerListResponse", () => client.customers.list()],
      [
        "billing",
        "customers",
        "CustomerRetrieveBillingResponse",
        () => client.customers.retrieveBilling("parity"),
      ],
      [
        "one-time session",
        "checkout-sessions",
        "CheckoutSessionRetrieveResponse",
        () => client.checkoutSessions.retrieve(ids.oneTimeSession as string),
      ],
      [
        "trial session",
        "checkout-sessions",
        "CheckoutSessionRetrieveResponse",
        () => client.checkoutSessions.retrieve(ids.trialSession as string),
      ],
      ["sessions", "checkout-sessions", "CheckoutSessionListResponse", () => client.checkoutSessions.list()],
      [
        "payment (partly refunded)",
        "payments",
        "PaymentRetrieveResponse",
        () => client.payments.retrieve(ids.oneTimePayment as string),
      ],
      [
        "payment (refunded)",
        "payments",
        "PaymentRetrieveResponse",
        () => client.payments.retrieve(ids.monthlyPayment as string),
      ],
      ["payments", "payments", "PaymentListResponse", () => client.payments.list()],
      [
        "purchase invoice",
        "invoices",
        "InvoiceRetrieveResponse",
        () => client.invoices.retrieve(ids.oneTimeInvoice as string),
      ],
      [
        "subscription invoice",
        "invoices",
        "InvoiceRetrieveResponse",
        () => client.invoices.retrieve(ids.monthlyInvoice as string),
      ],
      ["invoices", "invoices", "InvoiceListResponse", () => client.invoices.list()],
      [
        "line items",
        "invoice-line-items",
        "InvoiceLineItemListResponse",
        () => client.invoiceLineItems.list(),
      ],
      [
        "subscription",
        "subscriptions",
        "SubscriptionRetrieveResponse",
        () => client.subscriptions.retrieve(ids.monthlySubscription as string),
      ],
      [
        "trialing subscription",
        "subscriptions",
        "SubscriptionRetrieveResponse",
        () => client.subscriptions.retrieve(ids.trialSubscription as string),
      ],
      ["subscriptions", "subscriptions", "SubscriptionListResponse", () => client.subscriptions.list()],
      [
        "payment method",
        "payment-methods",
        "PaymentMethodRetrieveResponse",
        () => client.paymentMethods.retrieve(ids.paymentMethod as string),
      ],
      ["payment methods", "payment-methods", "PaymentMethodListResponse", () => client.paymentMethods.list()],
      ["prices", "prices", "PriceListResponse", () => client.prices.list()],
      [
        "product",
        "products",
        "ProductRetrieveResponse",
        () => client.products.retrieve(ids.productId as string),
      ],
      ["products", "products", "ProductListResponse", () => client.products.list()],
      [
        "pricing model",
        "pricing-models",
        "PricingModelRetrieveResponse",
        () => client.pricingModels.retrieve(ids.pricingModelId as string),
      ],
      [
        "default pricing model",
        "pricing-models",
        "PricingModelRetrieveDefaultResponse",
        () => client.pricingModels.retrieveDefault(),
      ],
      ["pricing models", "pricing-models", "PricingModelListResponse", () => client.pricingModels.list()],
      [
        "discount",
        "discounts",
        "DiscountRetrieveResponse",
        () => client.discounts.retrieve(ids.discountId as string),
      ],
      ["discounts", "discounts", "DiscountListResponse", () => client.discounts.list()],
    ];
    for (const [what, file, type, read] of reads) expectFits(what, file, type, await read());

    const failures: string[] = [];
    const counts: Record<string, number> = {};
    for (const { what, file, type, value } of checked) {
      const result: CheckResult = types.check(value, types.type(file, type));
      counts[what] = result.fieldsChecked;
      for (const p of result.problems) failures.push(`${what} (${type}) ${p.path}: ${p.message}`);
    }
    expect(failures.filter((f) => !DELIBERATE.some((re) => re.test(f)))).toEqual([]);
    // Every read was really walked: a record type's fields were counted, not skipped as unreadable.
    for (const [what, n] of Object.entries(counts)) expect(n, what).toBeGreaterThanOrEqual(8);
    // And every answer the client declares was among them.
    const walked = new Set(checked.map((c) => `${c.file}.${c.type}`));
    const declared = types
      .resourceFiles()
      .flatMap((file) => types.responseTypes(file).map((t) => `${file}.${t}`));
    expect(declared.length).toBeGreaterThan(50);
    expect(declared.filter((t) => !walked.has(t) && !NOT_ATTACHED.test(t))).toEqual([]);
  });

  it("shows refunds on the invoice and the purchase as Flowglad's statuses", async () => {
    const { client, ids } = world;
    const partial = (await client.payments.retrieve(ids.oneTimePayment as string)).payment;
    expect(partial).toMatchObject({ status: "succeeded", refunded: true, refundedAmount: 100 });
    const full = (await client.payments.retrieve(ids.monthlyPayment as string)).payment;
    expect(full).toMatchObject({ status: "refunded", refunded: true, refundedAmount: full.amount });
    expect((await client.invoices.retrieve(ids.oneTimeInvoice as string)).invoice.status).toBe(
      "partially_refunded",
    );
    expect((await client.invoices.retrieve(ids.monthlyInvoice as string)).invoice.status).toBe("refunded");
    const purchases = (await client.customers.retrieveBilling("parity")).purchases;
    const statusOf = (id: string | null) => purchases.find((p) => p.id === id)?.status;
    expect(statusOf(partial.purchaseId)).toBe("partial_refund");
    expect(statusOf(full.purchaseId)).toBe("refunded");
    expect(full.billingPeriodId).toEqual(expect.stringMatching(/^bp_/));
    expect(partial).toMatchObject({
      billingPeriodId: null,
      description: "Glade Pro × 2",
      taxAmount: 0,
      subtotal: 3998,
    });
  });

  it("has a checker that fails on a missing field, a wrong type and a value outside an enum", () => {
    const discount = {
      id: "discount_x",
      active: true,
      amount: 10,
      amountType: "percent",
      code: "X",
      createdAt: 1,
      duration: "once",
      livemode: false,
      name: "X",
      organizationId: "org_x",
      pricingModelId: "pm_x",
      updatedAt: 1,
    };
    const type = types.type("discounts", "DiscountCreateResponse");
    expect(types.check({ discount }, type).problems).toEqual([]);
    const { code: _dropped, ...missing } = discount;
    expect(types.check({ discount: missing }, type).problems).toEqual([
      expect.objectContaining({ path: "$.discount.code" }),
    ]);
    expect(types.check({ discount: { ...discount, amount: "10" } }, type).problems).toEqual([
      expect.objectContaining({ path: "$.discount.amount" }),
    ]);
    expect(types.check({ discount: { ...discount, amountType: "percentage" } }, type).problems).toEqual([
      expect.objectContaining({ path: "$.discount.amountType" }),
    ]);
    const payment = types.type("payments", "PaymentRetrieveResponse");
    expect(types.check({ payment: {} }, payment).problems.length).toBeGreaterThan(10);
  });
});
