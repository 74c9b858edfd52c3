import { describe, expect, it } from "vitest";
import { createCustomer, eventsFor, type TestMerchant, testContext } from "../support/index.js";

const ctx = await testContext();

function create(m: TestMerchant, customer: Record<string, unknown>, key = m.testKey) {
  return ctx.api("POST", "/api/v1/customers", { key, body: { customer } });
}

/** Setup, not the call under test: a customer whose external id may hold characters an email cannot. */
function createOk(m: TestMerchant, externalId: string, extra: Record<string, unknown> = {}, key = m.testKey) {
  const email = `${externalId.replace(/[^A-Za-z0-9_]/g, "_")}@example.com`;
  return createCustomer(ctx, key, externalId, { email, name: "Ada", ...extra });
}

describe("customers", () => {
  it("creates a customer wrapped in data, in the default pricing model, and announces it", async () => {
    const m = await ctx.merchant();
    const res = await create(m, {
      externalId: "user_1",
      email: "ada@example.com",
      name: "Ada Lovelace",
      domain: "ada.dev",
    });
    expect(res.status).toBe(200);
    const customer = res.body.data.customer;
    expect(res.body.customer).toBeUndefined();
    expect(customer).toMatchObject({
      externalId: "user_1",
      email: "ada@example.com",
      name: "Ada Lovelace",
      archived: false,
      livemode: false,
      organizationId: m.organizationId,
      domain: "ada.dev",
      iconURL: null,
      logoURL: null,
      userId: null,
    });
    expect(customer.id).toMatch(/^cus_/);
    expect(typeof customer.createdAt).toBe("number");
    expect(typeof customer.invoiceNumberBase).toBe("string");

    const def = await ctx.api("GET", "/api/v1/pricing-models/default", { key: m.testKey });
    expect(customer.pricingModelId).toBe(def.body.pricingModel.id);

    const evts = await eventsFor(ctx, customer.id);
    expect(evts.map((e) => e.type)).toEqual(["customer.created"]);
    expect((evts[0]!.payload as any).data).toEqual(customer);
  });

  it("puts a customer in the pricing model it names, and refuses one it cannot see", async () => {
    const m = await ctx.merchant();
    const other = await ctx.merchant();
    const pm = await ctx.api("POST", "/api/v1/pricing-models", {
      key: m.testKey,
      body: { pricingModel: { name: "B2B" } },
    });
    const customer = await createOk(m, "b2b", { pricingModelId: pm.body.pricingModel.id });
    expect(customer.pricingModelId).toBe(pm.body.pricingModel.id);

    for (const key of [other.testKey, m.liveKey]) {
      const res = await ctx.api("POST", "/api/v1/customers", {
        key,
        body: {
          customer: {
            externalId: "x",
            email: "x@example.com",
            name: "X",
            pricingModelId: pm.body.pricingModel.id,
          },
        },
      });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe("NOT_FOUND");
    }
  });

  it("retrieves by externalId, including ids with @ and encoded slashes", async () => {
    const m = await ctx.merchant();
    const email = await createOk(m, "a@b.com");
    const slashed = await createOk(m, "team/42");
    const byEmail = await ctx.api("GET", "/api/v1/customers/a@b.com", { key: m.testKey });
    expect(byEmail.status).toBe(200);
    expect(byEmail.body.customer.id).toBe(email.id);
    const encoded = await ctx.api("GET", `/api/v1/customers/${encodeURIComponent("a@b.com")}`, {
      key: m.testKey,
    });
    expect(encoded.body.customer.id).toBe(email.id);
    const bySlash = await ctx.api("GET", `/api/v1/customers/${encodeURIComponent("team/42")}`, {
      key: m.testKey,
    });
    expect(bySlash.status).toBe(200);
    expect(bySlash.body.customer.id).toBe(slashed.id);
  });

  it("answers an unknown customer with 404 and code NOT_FOUND", async () => {
    const m = await ctx.merchant();
    for (const path of ["", "/billing", "/usage-balances"]) {
      const res = await ctx.api("GET", `/api/v1/customers/nobody${path}`, { key: m.testKey });
      expect(res.status, path).toBe(404);
      expect(res.body).toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("nobody") });
    }
    const put = await ctx.api("PUT", "/api/v1/customers/nobody", {
      key: m.testKey,
      body: { customer: { name: "x" } },
    });
    expect(put.status).toBe(404);
    const archive = await ctx.api("POST", "/api/v1/customers/nobody/archive", { key: m.testKey, body: {} });
    expect(archive.status).toBe(404);
    expect(archive.body.code).toBe("NOT_FOUND");
  });

  it("refuses a duplicate externalId in the same org and mode, but not across modes or orgs", async () => {
    const m = await ctx.merchant();
    const other = await ctx.merchant();
    await createOk(m, "dup");
    const again = await create(m, { externalId: "dup", email: "other@example.com", name: "Other" });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("CONFLICT");
    expect(again.headers.get("x-should-retry")).toBe("false");
    await createOk(m, "dup", {}, m.liveKey);
    await createOk(other, "dup");
    const list = await ctx.api("GET", "/api/v1/customers", { key: m.testKey });
    expect(list.body.total).toBe(1);
  });

  it("rejects invalid customer input with 400", async () => {
    const m = await ctx.merchant();
    const bad: unknown[] = [
      { externalId: "x", email: "not-an-email", name: "X" },
      { externalId: "", email: "x@example.com", name: "X" },
      { externalId: "x".repeat(256), email: "x@example.com", name: "X" },
      { externalId: 42, email: "x@example.com", name: "X" },
      { email: "x@example.com", name: "X" },
      { externalId: "x", name: "X" },
      { externalId: "x", email: "x@example.com" },
      { externalId: "x", email: "x@example.com", name: "X", archived: "yes" },
      { externalId: "x", email: "x@example.com", name: "X", iconURL: "javascript:alert(1)" },
    ];
    for (const customer of bad) {
      const res = await create(m, customer as Record<string, unknown>);
      expect(res.status, JSON.stringify(customer)).toBe(400);
      expect(res.body.code).toBe("BAD_REQUEST");
    }
    const unwrapped = await ctx.api("POST", "/api/v1/customers", {
      key: m.testKey,
      body: { externalId: "x", email: "x@example.com", name: "X" },
    });
    expect(unwrapped.status).toBe(400);
    const malformed = await ctx.api("POST", "/api/v1/customers", { key: m.testKey, rawBody: "{" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe("BAD_REQUEST");
    const badUpdate = await ctx.api("PUT", "/api/v1/customers/x", {
      key: m.testKey,
      body: { customer: { email: "nope" } },
    });
    expect(badUpdate.status).toBe(400);
    expect((await ctx.api("GET", "/api/v1/customers", { key: m.testKey })).body.total).toBe(0);
  });

  it("updates and archives a customer, announcing each change once", async () => {
    const m = await ctx.merchant();
    const customer = await createOk(m, "u1");
    const updated = await ctx.api("PUT", "/api/v1/customers/u1", {
      key: m.testKey,
      body: {
        customer: {
          id: customer.id,
          name: "Grace",
          email: "grace@example.com",
          userId: "usr_9",
          billingAddress: { address: { country: "US", city: "Arlington" } },
        },
      },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.customer).toMatchObject({
      id: customer.id,
      externalId: "u1",
      name: "Grace",
      email: "grace@example.com",
      userId: "usr_9",
      billingAddress: { address: { country: "US", city: "Arlington" } },
      pricingModelId: customer.pricingModelId,
    });

    const archived = await ctx.api("POST", "/api/v1/customers/u1/archive", { key: m.testKey, body: {} });
    expect(archived.status).toBe(200);
    expect(archived.body.customer).toMatchObject({ id: customer.id, archived: true, name: "Grace" });
    const again = await ctx.api("POST", "/api/v1/customers/u1/archive", { key: m.testKey, body: {} });
    expect(again.body.customer.archived).toBe(true);
    const read = await ctx.api("GET", "/api/v1/customers/u1", { key: m.testKey });
    expect(read.body.customer.archived).toBe(true);

    const evts = await eventsFor(ctx, customer.id);
    expect(evts.map((e) => e.type)).toEqual(["customer.created", "customer.updated", "customer.updated"]);
    expect((evts[2]!.payload as any).data.archived).toBe(true);
  });

  it("answers usage balances with an empty list for a customer without subscriptions", async () => {
    const m = await ctx.merchant();
    await createOk(m, "meter");
    const res = await ctx.api("GET", "/api/v1/customers/meter/usage-balances", { key: m.testKey });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ usageMeterBalances: [] });
    // A subscription that is not the customer's is not found (test/usage/balances.test.ts has the rest).
    const unknown = await ctx.api("GET", "/api/v1/customers/meter/usage-balances?subscriptionId=sub_x", {
      key: m.testKey,
    });
    expect(unknown.status).toBe(404);
  });

  it("isolates customers by organization and mode", async () => {
    const m = await ctx.merchant();
    const other = await ctx.merchant();
    await createOk(m, "private", { name: "Private" });
    for (const key of [other.testKey, m.liveKey]) {
      for (const path of ["", "/billing", "/usage-balances"]) {
        const res = await ctx.api("GET", `/api/v1/customers/private${path}`, { key });
        expect(res.status, path).toBe(404);
        expect(res.body.code).toBe("NOT_FOUND");
      }
      const put = await ctx.api("PUT", "/api/v1/customers/private", {
        key,
        body: { customer: { name: "Hijack" } },
      });
      expect(put.status).toBe(404);
      const archive = await ctx.api("POST", "/api/v1/customers/private/archive", { key, body: {} });
      expect(archive.status).toBe(404);
      const list = await ctx.api("GET", "/api/v1/customers", { key });
      expect(list.body).toMatchObject({ data: [], total: 0, hasMore: false });
    }
    const mine = await ctx.api("GET", "/api/v1/customers/private", { key: m.testKey });
    expect(mine.body.customer).toMatchObject({ name: "Private", archived: false });
  });

  it("pages through customers with nextCursor", async () => {
    const m = await ctx.merchant();
    const created: string[] = [];
    for (let i = 0; i < 25; i++) created.push((await createOk(m, `page_${i}`)).id);
    await createOk(m, "live_only", {}, m.liveKey);

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const query = cursor ? `?limit=10&cursor=${encodeURIComponent(cursor)}` : "?limit=10";
      const res = await ctx.api("GET", `/api/v1/customers${query}`, { key: m.testKey });
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(25);
      pages++;
      seen.push(...res.body.data.map((c: any) => c.id));
      expect(res.body.hasMore).toBe(res.body.nextCursor !== undefined);
      if (cursor) expect(res.body.currentCursor).toBe(cursor);
      cursor = res.body.nextCursor;
    } while (cursor && pages < 10);

    expect(pages).toBe(3);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect([...seen].sort()).toEqual([...created].sort());
    // Newest first.
    expect(seen[0]).toBe(created[24]);

    const badLimit = await ctx.api("GET", "/api/v1/customers?limit=0", { key: m.testKey });
    expect(badLimit.status).toBe(400);
    const badCursor = await ctx.api("GET", "/api/v1/customers?cursor=garbage", { key: m.testKey });
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.code).toBe("BAD_REQUEST");
  });
});
