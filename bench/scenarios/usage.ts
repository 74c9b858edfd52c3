import { startBare, startGlade } from "../lib/child.js";
import { type Comparison, compare } from "../lib/compare.js";
import type { BenchDatabase } from "../lib/database.js";
import type { BenchOptions } from "../lib/options.js";
import { BULK_SIZE, bulkBody, createUsageWorld, singleBody, type UsageWorld } from "../lib/usage.js";

export type UsageResults = {
  /** POST /api/v1/usage-events vs node:http + one INSERT of a usage-event row. */
  single: Comparison;
  /**
   * POST /api/v1/usage-events/bulk of `eventsPerRequest` events of one subscription vs node:http + one INSERT
   * of as many rows.
   */
  bulk: Comparison & { eventsPerRequest: number };
  /** The same with every request spanning `eventsPerRequest` subscriptions (report only). */
  bulkMixed: Comparison & { eventsPerRequest: number };
};

function bareEnv(db: BenchDatabase, world: UsageWorld): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    BARE_ORG_ID: db.merchant.organizationId,
    BARE_PRICING_MODEL_ID: world.row.pricingModelId,
    BARE_CUSTOMER_ID: world.row.customerId,
    BARE_PRICE_ID: world.row.priceId,
    BARE_BILLING_PERIOD_ID: world.row.billingPeriodId,
  };
}

/**
 * Usage event ingest, one event per request and `BULK_SIZE` per request, against a bare node:http server
 * inserting the same rows. Every event has its own transactionId and names one of the world's subscriptions
 * in turn (single events: each the next one; bulk: a request's events one subscription's, or, report only,
 * every request's spanning `BULK_SIZE` of them), so Glade resolves subscriptions, periods and the meter and
 * keeps one running total per subscription.
 */
export async function benchUsage(
  db: BenchDatabase,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<UsageResults> {
  const world = await createUsageWorld(db);
  const headers = { "content-type": "application/json", authorization: db.secret };
  const glade = () => startGlade(db.url, { httpWorkers: options.gladeWorkers });
  const bare = () => startBare("usage", bareEnv(db, world));
  log("  one event per request");
  const single = await compare(
    db,
    {
      glade: {
        label: "glade",
        start: glade,
        spec: () => ({
          method: "POST",
          path: "/api/v1/usage-events",
          headers,
          body: singleBody(world),
          expectStatus: 200,
        }),
      },
      bare: {
        label: "bare",
        start: bare,
        spec: () => ({
          method: "POST",
          path: "/usage-events",
          headers,
          body: singleBody(world),
          expectStatus: 200,
        }),
      },
    },
    options,
    log,
  );
  const bulkSides = (batches: "subscription" | "mixed") => ({
    glade: {
      label: "glade",
      start: glade,
      spec: () => ({
        method: "POST" as const,
        path: "/api/v1/usage-events/bulk",
        headers,
        body: bulkBody(world, batches),
        expectStatus: 200,
      }),
    },
    bare: {
      label: "bare",
      start: bare,
      spec: () => ({
        method: "POST" as const,
        path: "/usage-events/bulk",
        headers,
        body: bulkBody(world, batches),
        expectStatus: 200,
      }),
    },
  });
  log(`  ${BULK_SIZE} events of one subscription per request`);
  const bulk = await compare(db, bulkSides("subscription"), options, log);
  log(`  ${BULK_SIZE} events of ${BULK_SIZE} subscriptions per request`);
  const bulkMixed = await compare(db, bulkSides("mixed"), options, log);
  return {
    single,
    bulk: { ...bulk, eventsPerRequest: BULK_SIZE },
    bulkMixed: { ...bulkMixed, eventsPerRequest: BULK_SIZE },
  };
}
