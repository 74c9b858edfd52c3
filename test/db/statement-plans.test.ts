import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { builtStatements } from "../../src/db/statement.js";
import {
  anonymousSession,
  CARDS,
  catalogFixture,
  createCustomer,
  createMigratedDatabase,
  createSession,
  genericPlan,
  submitCheckoutForm,
  testContext,
} from "../support/index.js";

/**
 * Built-once statements run on Postgres's generic plan, chosen without the parameter values. On tables
 * without statistics (a new install, before autovacuum's first analyze) a tenant-scoped key lookup could
 * be planned through the "organization's rows by position" index and walk every row of the merchant, for
 * as long as the connection lives. Each statement the checkout paths build is planned here the way a
 * fresh install plans it, and must find its rows by their key.
 */
const ctx = await testContext();
const database = await createMigratedDatabase("glade_plans");
const fresh = postgres(database.url, { max: 1, onnotice: () => {} });

afterAll(async () => {
  await fresh.end({ timeout: 5 });
  await database.drop();
});

const planOf = (name: string, text: string) => genericPlan(fresh, text, name);

describe("built-once statements on a fresh database", () => {
  it("find rows by their key, never by walking a merchant's rows", async () => {
    // Run the paths that build the statements: create by id (anonymous and named), pay in one statement
    // (a one-time price, a trial), and through the transaction (a free order, saving a card).
    const f = await catalogFixture(ctx);
    await createCustomer(ctx, f.merchant.testKey, "plans_user");
    const named = await createSession(ctx, f.merchant.testKey, {
      type: "product",
      customerExternalId: "plans_user",
      priceId: f.oneTimePriceId,
    });
    expect(named.status).toBe(200);
    const paid = await submitCheckoutForm(ctx, named.body.checkoutSession.id, { cardNumber: CARDS.ok });
    expect(paid.status).toBe(303);
    const anonymous = await anonymousSession(ctx, f);
    expect((await submitCheckoutForm(ctx, anonymous, { cardNumber: CARDS.ok })).status).toBe(303);
    const subscription = await createSession(ctx, f.merchant.testKey, {
      type: "product",
      customerExternalId: "plans_user",
      priceId: f.trialPriceId,
    });
    expect(subscription.status).toBe(200);
    const subscribed = await submitCheckoutForm(ctx, subscription.body.checkoutSession.id, {
      cardNumber: CARDS.ok,
    });
    expect(subscribed.status).toBe(303);
    const free = await anonymousSession(ctx, f, { priceId: f.freePriceId });
    expect((await submitCheckoutForm(ctx, free, {})).status).toBe(303);
    const cardOnly = await createSession(ctx, f.merchant.testKey, {
      type: "add_payment_method",
      customerExternalId: "plans_user",
    });
    expect(cardOnly.status).toBe(200);
    const saved = await submitCheckoutForm(ctx, cardOnly.body.checkoutSession.id, { cardNumber: CARDS.ok });
    expect(saved.status).toBe(303);

    const statements = [...builtStatements()];
    expect(statements.length).toBeGreaterThan(10);
    const offenders: string[] = [];
    for (const [name, text] of statements) {
      const plan = await planOf(name, text);
      if (/_organization_id_livemode_position_index/.test(plan)) offenders.push(`${name}:\n${plan}`);
    }
    expect(offenders).toEqual([]);
  });
});
