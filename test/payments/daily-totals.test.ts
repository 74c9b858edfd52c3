import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/raw.js";
import {
  CARDS,
  catalogFixture,
  checkoutPayment,
  createCustomer,
  ownDatabase,
  testContext,
} from "../support/index.js";

/**
 * `payment_daily_totals` (migration 0015) is kept by triggers on `payments`: whatever writes payments, the totals
 * must equal the same sums computed from the payments themselves, per tenant, day and currency.
 */
const ctx = await testContext({}, { databaseUrl: await ownDatabase() });

type Sums = { key: string; gross: string; net: string; failed: string };

async function fromPayments(): Promise<Sums[]> {
  return queryRows<Sums>(
    ctx.deps.db,
    sql`select organization_id || '/' || livemode || '/' || (charge_date at time zone 'UTC')::date || '/' || currency
        as key,
      sum(case when status in ('succeeded', 'refunded') then amount else 0 end)::text as gross,
      sum(case when status in ('succeeded', 'refunded') then amount - refunded_amount else 0 end)::text as net,
      count(*) filter (where status = 'failed')::text as failed
    from payments where status in ('succeeded', 'refunded', 'failed')
    group by 1 order by 1`,
  );
}

async function fromTotals(): Promise<Sums[]> {
  return queryRows<Sums>(
    ctx.deps.db,
    sql`select organization_id || '/' || livemode || '/' || day || '/' || currency as key,
      sum(gross)::text as gross, sum(net)::text as net, sum(failed_count)::text as failed
    from payment_daily_totals group by 1
    having sum(gross) <> 0 or sum(net) <> 0 or sum(failed_count) <> 0 order by 1`,
  );
}

async function expectInStep(): Promise<void> {
  expect(await fromTotals()).toEqual(await fromPayments());
}

describe("payment daily totals", () => {
  it("follow payments through checkout, declines, partial and full refunds", async () => {
    const f = await catalogFixture(ctx, { merchantName: "Totals Org" });
    const key = f.merchant.testKey;
    await createCustomer(ctx, key, "t1");
    await createCustomer(ctx, key, "t2");
    const paid = await checkoutPayment(ctx, key, "t1", f.oneTimePriceId);
    await checkoutPayment(ctx, key, "t2", f.oneTimePriceId, CARDS.decline);
    const second = await checkoutPayment(ctx, key, "t2", f.monthlyPriceId);
    await expectInStep();
    const rows = await fromTotals();
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]?.failed)).toBe(1);
    expect(Number(rows[0]?.gross)).toBe(paid.amount + second.amount);

    const partial = await ctx.api("POST", `/api/v1/payments/${paid.id}/refund`, {
      key,
      body: { partialAmount: 250 },
    });
    expect(partial.status).toBe(200);
    const full = await ctx.api("POST", `/api/v1/payments/${second.id}/refund`, { key, body: {} });
    expect(full.status).toBe(200);
    await expectInStep();
    const [after] = await fromTotals();
    // Refunds keep the gross (it was volume when charged) and come off the net.
    expect(Number(after?.gross)).toBe(paid.amount + second.amount);
    expect(Number(after?.net)).toBe(paid.amount - 250);
  });

  it("follow any statement on payments: bulk inserts, moved days, status changes, deletes, truncate", async () => {
    const f = await catalogFixture(ctx, { merchantName: "Bulk Org" });
    const org = f.merchant.organizationId;
    await queryRows(
      ctx.deps.db,
      sql`insert into payments (id, organization_id, livemode, amount, currency, status, refunded_amount,
          processor, processor_intent_id, charge_date, created_at, updated_at)
        select 'pay_totals_' || g, ${org}, g % 2 = 0, 100 * g, case when g % 3 = 0 then 'EUR' else 'USD' end,
          (array['succeeded', 'refunded', 'failed', 'processing', 'canceled'])[1 + g % 5],
          case when g % 5 = 1 then 100 * g else g end, 'sandbox', 'totals_pi_' || g,
          timestamptz '2030-01-01T23:30:00Z' + (g % 4) * interval '20 minutes', now(), now()
        from generate_series(1, 60) as g`,
    );
    await expectInStep();
    // Payments cross midnight, change currency and status, some of them in one statement with no change at all.
    await queryRows(
      ctx.deps.db,
      sql`update payments set charge_date = charge_date + interval '45 minutes' where id like 'pay_totals_%' and amount % 700 = 0`,
    );
    await queryRows(
      ctx.deps.db,
      sql`update payments set status = 'succeeded' where id like 'pay_totals_%' and status = 'processing'`,
    );
    await queryRows(ctx.deps.db, sql`update payments set updated_at = now() where id like 'pay_totals_%'`);
    await queryRows(
      ctx.deps.db,
      sql`update payments set currency = 'GBP', refunded_amount = 0 where id like 'pay_totals_1%'`,
    );
    await expectInStep();
    await queryRows(ctx.deps.db, sql`delete from payments where id like 'pay_totals_2%'`);
    await expectInStep();
    expect((await fromTotals()).some((r) => r.key.includes("/GBP"))).toBe(true);

    await queryRows(ctx.deps.db, sql`truncate payments cascade`);
    expect(await fromTotals()).toEqual([]);
  });

  it("stay exact under concurrent checkouts of one merchant on one day", async () => {
    const f = await catalogFixture(ctx, { merchantName: "Concurrent Org" });
    const key = f.merchant.testKey;
    const names = Array.from({ length: 12 }, (_, i) => `con-${i}`);
    for (const name of names) await createCustomer(ctx, key, name);
    const paid = await Promise.all(names.map((name) => checkoutPayment(ctx, key, name, f.oneTimePriceId)));
    await expectInStep();
    const mine = (await fromTotals()).filter((r) => r.key.startsWith(`${f.merchant.organizationId}/false/`));
    expect(mine.reduce((sum, r) => sum + Number(r.gross), 0)).toBe(
      paid.reduce((sum, p) => sum + p.amount, 0),
    );
  });
});
