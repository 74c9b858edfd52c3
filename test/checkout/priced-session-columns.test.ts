import { bigint, integer, pgTable, text } from "drizzle-orm/pg-core";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  insertPricedSession,
  type PricedSessionDecided,
  type PricedSessionValues,
} from "../../src/checkout/insert-priced-session.js";
import type { CheckoutSessionRow } from "../../src/checkout/serialize.js";
import type { InsertSelectValues } from "../../src/db/insert-select.js";
import { catalogFixture, testContext } from "../support/index.js";

/**
 * The priced create writes every column of checkout_sessions: the statement decides some (the price's
 * snapshot, what a new session starts with) and the caller supplies all the others. The type assertions
 * here are checked by tsc (`npm run typecheck`), the rest by running the statement.
 */
const toys = pgTable("toys", {
  id: text().primaryKey(),
  decided: text().notNull(),
  fixed: integer().notNull(),
  required: text().notNull(),
  optional: text(),
  defaulted: integer().notNull().default(1),
  position: bigint({ mode: "number" }).generatedAlwaysAsIdentity(),
});

describe("the values an insert-select takes from its caller", () => {
  it("are every column it does not decide but position, each required, null where the column allows it", () => {
    expectTypeOf<InsertSelectValues<typeof toys, "decided" | "fixed">>().toEqualTypeOf<{
      id: string;
      required: string;
      optional: string | null;
      defaulted: number;
    }>();
  });
});

describe("the priced checkout session insert", () => {
  it("covers every column: decided by the statement, or a required value of the row's own type", () => {
    expectTypeOf<Omit<PricedSessionValues, "priceId">>().toEqualTypeOf<
      Omit<CheckoutSessionRow, PricedSessionDecided | "position">
    >();
    expectTypeOf<PricedSessionValues["priceId"]>().toEqualTypeOf<string>();
  });

  it("asks at run time for exactly the values its type requires", async () => {
    const ctx = await testContext();
    const f = await catalogFixture(ctx);
    const now = new Date();
    const values: PricedSessionValues = {
      id: `chckt_session_columns_${Math.random().toString(36).slice(2)}`,
      organizationId: f.merchant.organizationId,
      livemode: false,
      priceId: f.oneTimePriceId,
      source: "api",
      anonymous: true,
      quantity: 1,
      customerId: null,
      customerEmail: null,
      customerName: null,
      successUrl: "https://shop.example.com/ok",
      cancelUrl: "https://shop.example.com/cancel",
      outputMetadata: null,
      outputName: null,
      discountId: null,
      preserveBillingCycleAnchor: false,
      expiresAt: new Date(now.getTime() + 3_600_000),
      createdAt: now,
      updatedAt: now,
    };
    // Each value the type requires is one the statement cannot go without...
    for (const key of Object.keys(values).filter((k) => k !== "priceId")) {
      const { [key]: _left, ...without } = values as Record<string, unknown>;
      await expect(insertPricedSession(ctx.deps.db, without as PricedSessionValues), key).rejects.toThrow(
        `no value for column ${key}`,
      );
    }
    // ...and with them all it needs nothing more.
    const row = await insertPricedSession(ctx.deps.db, values);
    expect(row?.id).toBe(values.id);
  });
});
