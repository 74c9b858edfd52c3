import { randomBytes } from "node:crypto";
import { createApp } from "../../src/app.js";
import { seedDemoCatalog } from "../../src/catalog/index.js";
import type { BenchDatabase } from "./database.js";

/** Subscriptions the usage benchmark spreads its events over: a merchant with many metered customers. */
export const USAGE_SUBSCRIPTIONS = 200;
/** Events per request of the bulk variant. */
export const BULK_SIZE = 100;

/** What the usage benchmark's events name, made through Glade's own API (in-process) on the bench database. */
export type UsageWorld = {
  subscriptionIds: string[];
  usageMeterId: string;
  /** What the bare harness writes into the columns Glade resolves: one subscription's values. */
  row: { pricingModelId: string; customerId: string; priceId: string; billingPeriodId: string };
};

type Call = (method: string, path: string, body: unknown) => Promise<Record<string, any>>;

/** Glade's API in this process, as the merchant (the benchmark's own database and key). */
function apiOf(db: BenchDatabase): Call {
  const app = createApp(db.deps);
  return async (method, path, body) => {
    const res = await app.request(path, {
      method,
      headers: { "content-type": "application/json", authorization: db.secret },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, any>;
    if (res.status !== 200 && res.status !== 201) {
      throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    }
    return json;
  };
}

/**
 * A sum meter with its usage price in the demo pricing model, and `USAGE_SUBSCRIPTIONS` customers each on
 * the monthly plan (never charged), made as a merchant would.
 */
export async function createUsageWorld(db: BenchDatabase): Promise<UsageWorld> {
  const call = apiOf(db);
  const catalog = await seedDemoCatalog(db.deps.db, db.merchant, new Date());
  const { usageMeter } = await call("POST", "/api/v1/usage-meters", {
    usageMeter: { name: "API calls", slug: "api-calls", pricingModelId: catalog.pricingModel.id },
    price: { unitPrice: 1, usageEventsPerUnit: 1000 },
  });
  const subscriptionIds: string[] = [];
  let row: UsageWorld["row"] | undefined;
  for (let i = 0; i < USAGE_SUBSCRIPTIONS; i++) {
    const { data } = await call("POST", "/api/v1/customers", {
      customer: { externalId: `metered-${i}`, email: `metered-${i}@example.com`, name: `Metered ${i}` },
    });
    const { subscription } = await call("POST", "/api/v1/subscriptions", {
      customerId: data.customer.id,
      priceId: catalog.monthlyPrice.id,
      doNotCharge: true,
    });
    subscriptionIds.push(subscription.id);
    if (!row) {
      const { usageEvent } = await call("POST", "/api/v1/usage-events", {
        usageEvent: {
          amount: 1,
          subscriptionId: subscription.id,
          transactionId: "bench-template",
          usageMeterId: usageMeter.id,
        },
      });
      row = {
        pricingModelId: usageEvent.pricingModelId,
        customerId: usageEvent.customerId,
        priceId: usageEvent.priceId,
        billingPeriodId: usageEvent.billingPeriodId,
      };
    }
  }
  if (!row) throw new Error("no usage template");
  return { subscriptionIds, usageMeterId: usageMeter.id, row };
}

/**
 * Usage events as a merchant's servers send them: each with its own transactionId (one run's ids never
 * repeat another's), naming the meter by id. `perSubscription` events in a row name the same subscription,
 * then the next one's turn comes.
 */
export function usageEventSource(world: UsageWorld, perSubscription = 1): () => Record<string, unknown> {
  const prefix = randomBytes(6).toString("hex");
  let n = 0;
  return () => {
    n++;
    return {
      amount: (n % 9) + 1,
      subscriptionId: world.subscriptionIds[Math.floor(n / perSubscription) % world.subscriptionIds.length],
      transactionId: `${prefix}-${n}`,
      usageMeterId: world.usageMeterId,
    };
  };
}

/** One event per request, each for the next subscription. */
export function singleBody(world: UsageWorld): () => string {
  const next = usageEventSource(world);
  return () => JSON.stringify({ usageEvent: next() });
}

/**
 * `BULK_SIZE` events per request. `"subscription"`: a customer's usage flushed together, one subscription per
 * request (the next request, the next subscription). `"mixed"`: every request spans `BULK_SIZE` subscriptions,
 * so concurrent requests update the same running totals and wait for each other's commits.
 */
export function bulkBody(
  world: UsageWorld,
  batches: "subscription" | "mixed" = "subscription",
): () => string {
  const next = usageEventSource(world, batches === "subscription" ? BULK_SIZE : 1);
  return () => JSON.stringify({ usageEvents: Array.from({ length: BULK_SIZE }, next) });
}
