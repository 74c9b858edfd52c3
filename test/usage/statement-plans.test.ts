import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { builtStatements } from "../../src/db/statement.js";
import { renewSubscription } from "../../src/subscriptions/index.js";
import {
  buyTopUp,
  createMigratedDatabase,
  DAY,
  PERIOD_END,
  PERIOD_START,
  planCredits,
  recordUsage,
  settableClock,
  subscribe,
  testContext,
  topUpProduct,
  usageWorld,
} from "../support/index.js";

/**
 * The statements a balance read and a usage renewal build once, planned as a fresh install plans them (generic
 * plan, tables never analyzed), as test/db/statement-plans.test.ts does for the checkout paths: each must find its
 * rows by its key, never by walking the merchant's rows through the tenant's position index.
 */
const clock = settableClock();
const ctx = await testContext({ now: clock.now });
const database = await createMigratedDatabase("glade_usage_plans");
const fresh = postgres(database.url, { max: 1, onnotice: () => {} });

afterAll(async () => {
  await fresh.end({ timeout: 5 });
  await database.drop();
});

async function genericPlan(name: string, text: string): Promise<string> {
  const params = Math.max(0, ...[...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  return fresh.begin(async (tx) => {
    await tx.unsafe("set local plan_cache_mode = force_generic_plan");
    await tx.unsafe(`prepare plan_probe as ${text}`);
    const args = Array.from({ length: params }, () => "null").join(", ");
    const rows = await tx.unsafe(`explain execute plan_probe${params ? `(${args})` : ""}`);
    await tx.unsafe("deallocate plan_probe");
    return `${name}\n${rows.map((r) => r["QUERY PLAN"] as string).join("\n")}`;
  });
}

const USAGE_STATEMENTS = [
  "subscriptions_of_customer",
  "billing_period_starting",
  "subscription_items_of_subscriptions",
  "purchases_of_customer",
  "purchases_refunded_in_full",
  "usage_credits_used",
  "usage_unbilled_of_period",
  "usage_meters_of_pricing_models",
  "product_feature_grants",
  "subscription_item_features_of_subscriptions",
  "price_by_id",
];

describe("the usage reads' built-once statements on a fresh database", () => {
  it("find their rows by key", async () => {
    clock.set(new Date(PERIOD_START - DAY));
    const w = await usageWorld(ctx);
    await planCredits(ctx, w, { slug: "calls-once", meter: w.calls, amount: 10, renewalFrequency: "once" });
    const { subscription } = await subscribe(ctx, w);
    clock.set(new Date(PERIOD_START + DAY));
    const pack = await topUpProduct(ctx, w, w.calls, 5);
    await buyTopUp(ctx, w, pack.priceId);
    await recordUsage(ctx, w.merchant, {
      subscriptionId: subscription.id,
      meter: w.calls,
      price: w.callsPrice,
      amount: 40,
    });
    const read = await ctx.api("GET", `/api/v1/customers/${w.externalId}/usage-balances`, { key: w.key });
    expect(read.body.usageMeterBalances[0]).toMatchObject({
      slug: "api-calls",
      availableBalance: 10 + 5 - 40,
    });
    clock.set(new Date(PERIOD_END + 60_000));
    expect((await renewSubscription(ctx.deps, w.merchant, subscription.id))?.status).toBe("active");

    const built = builtStatements();
    expect(USAGE_STATEMENTS.filter((name) => !built.has(name))).toEqual([]);
    const offenders: string[] = [];
    for (const name of USAGE_STATEMENTS) {
      const plan = await genericPlan(name, built.get(name) ?? "");
      if (/_organization_id_livemode_position_index/.test(plan)) offenders.push(plan);
    }
    expect(offenders).toEqual([]);
  });
});
