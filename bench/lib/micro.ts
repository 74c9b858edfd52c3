import { and, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import { getPriceWithProduct } from "../../src/catalog/index.js";
import type { Executor } from "../../src/db/client.js";
import * as schema from "../../src/db/schema/index.js";
import { formatAmount } from "../../src/lib/money.js";
import { type BenchDatabase, connect } from "./database.js";

export type MicroResult = { name: string; microseconds: number };

async function timeEach(rounds: number, fn: () => unknown): Promise<number> {
  for (let i = 0; i < Math.min(200, rounds); i++) await fn();
  const began = performance.now();
  for (let i = 0; i < rounds; i++) await fn();
  return ((performance.now() - began) / rounds) * 1000;
}

/**
 * Per-call costs behind the profiles, measured in this process on one connection: what one of Glade's
 * primary-key lookups costs through Drizzle's query builder rebuilt per call (as src/ ran before
 * src/db/statement.ts), as a prepared Drizzle query, through src/'s built-once statement, and as plain
 * postgres.js; and the hosted page's money formatting against a cached formatter.
 */
export async function microCosts(db: BenchDatabase): Promise<MicroResult[]> {
  const client = connect(db.url, 1);
  const orm = drizzle(client, { schema, casing: "snake_case" });
  const { prices } = schema;
  const { organizationId, livemode } = db.merchant;
  const id = db.priceId;
  const lookup = () =>
    orm
      .select()
      .from(prices)
      .where(
        and(eq(prices.organizationId, organizationId), eq(prices.livemode, livemode), eq(prices.id, id)),
      );
  const prepared = orm
    .select()
    .from(prices)
    .where(
      and(
        eq(prices.organizationId, sql.placeholder("org")),
        eq(prices.livemode, sql.placeholder("mode")),
        eq(prices.id, sql.placeholder("id")),
      ),
    )
    .prepare("bench_price_lookup");
  const cachedFormat = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
  try {
    return [
      {
        name: "Drizzle: build the price lookup's SQL only (toSQL)",
        microseconds: await timeEach(5000, () => lookup().toSQL()),
      },
      {
        name: "Drizzle: price lookup rebuilt per call (build + round trip + map)",
        microseconds: await timeEach(2000, () => lookup()),
      },
      {
        name: "Drizzle: same lookup as a .prepare()d query",
        microseconds: await timeEach(2000, () =>
          prepared.execute({ org: organizationId, mode: livemode, id }),
        ),
      },
      {
        name: "src/: getPriceWithProduct (price + product join, built once by statement())",
        microseconds: await timeEach(2000, () =>
          getPriceWithProduct(orm as unknown as Executor, db.merchant, id),
        ),
      },
      {
        name: "postgres.js: same lookup, tagged template",
        microseconds: await timeEach(
          2000,
          () =>
            client`select * from prices where organization_id = ${organizationId} and livemode = ${livemode} and id = ${id}`,
        ),
      },
      {
        name: "formatAmount(19900, 'USD') (new Intl.NumberFormat per call)",
        microseconds: await timeEach(5000, () => formatAmount(19900, "USD")),
      },
      {
        name: "cached Intl.NumberFormat#format",
        microseconds: await timeEach(5000, () => cachedFormat.format(199)),
      },
    ];
  } finally {
    await client.end({ timeout: 5 });
  }
}
