import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { LIST_TOTAL_CAP } from "../../src/lib/pagination.js";
import { type TestMerchant, testContext } from "../support/index.js";

const ctx = await testContext();

/** Bulk events straight into the outbox: the list's cost and `total` are what is under test, not emitting. */
async function seedEvents(m: TestMerchant, count: number, type: string, livemode = false) {
  await ctx.deps.db.execute(sql`
    insert into events (id, organization_id, livemode, type, object_type, object_id, payload)
    select e.id, ${m.organizationId}, ${livemode}, ${type}, 'customer', 'cus_' || e.g,
      jsonb_build_object('id', e.id, 'type', ${type}::text, 'createdAt', 0, 'livemode', ${livemode}::boolean,
        'organizationId', ${m.organizationId}::text, 'object', 'customer', 'data', '{}'::jsonb)
    from (select g, 'evt_' || md5(random()::text || g) as id from generate_series(1, ${count}::int) as g) as e`);
}

type Page = { data: { id: string; type: string }[]; hasMore: boolean; total: number; nextCursor?: string };

async function page(m: TestMerchant, query: string): Promise<Page> {
  const res = await ctx.api("GET", `/api/v1/events?${query}`, { key: m.testKey });
  expect(res.status).toBe(200);
  return res.body as Page;
}

async function walk(m: TestMerchant, query: string): Promise<Page[]> {
  const pages = [await page(m, query)];
  for (let last = pages[0]; last?.nextCursor; ) {
    last = await page(m, `${query}&cursor=${last.nextCursor}`);
    pages.push(last);
  }
  return pages;
}

describe("a list's total", () => {
  it("is exact up to the cap, reads 'more than the cap' above it, and paging stays exact", async () => {
    const m = await ctx.merchant();
    await seedEvents(m, LIST_TOTAL_CAP + 4, "customer.created");
    await seedEvents(m, 7, "customer.created", true);

    const pages = await walk(m, "limit=100");
    expect(pages.map((p) => p.total)).toEqual(pages.map(() => LIST_TOTAL_CAP + 1));
    expect(pages.slice(0, -1).every((p) => p.hasMore)).toBe(true);
    expect(pages.at(-1)?.hasMore).toBe(false);
    const ids = pages.flatMap((p) => p.data.map((e) => e.id));
    expect(ids).toHaveLength(LIST_TOTAL_CAP + 4);
    expect(new Set(ids).size).toBe(LIST_TOTAL_CAP + 4);

    // The other mode and another tenant count only their own rows, exactly.
    const live = await ctx.api("GET", "/api/v1/events?limit=5", { key: m.liveKey });
    expect(live.body).toMatchObject({ total: 7, hasMore: true });
    const other = await ctx.merchant();
    expect(await page(other, "limit=5")).toMatchObject({ total: 0, hasMore: false, data: [] });
  });

  it("counts exactly at the cap, and a filter counts only what it matches", async () => {
    const m = await ctx.merchant();
    await seedEvents(m, LIST_TOTAL_CAP - 3, "customer.created");
    await seedEvents(m, 3, "payment.succeeded");
    expect(await page(m, "limit=10")).toMatchObject({ total: LIST_TOTAL_CAP, hasMore: true });

    const paid = await walk(m, "limit=2&type=payment.succeeded");
    expect(paid.map((p) => p.total)).toEqual([3, 3]);
    expect(paid.flatMap((p) => p.data.map((e) => e.type))).toEqual(Array(3).fill("payment.succeeded"));

    await seedEvents(m, 1, "payment.succeeded");
    expect(await page(m, "limit=10")).toMatchObject({ total: LIST_TOTAL_CAP + 1 });
    expect(await page(m, "limit=10&type=payment.succeeded")).toMatchObject({ total: 4, hasMore: false });
  });
});
