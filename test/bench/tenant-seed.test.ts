import { afterAll, describe, expect, it } from "vitest";
import { type BenchDatabase, createBenchDatabase } from "../../bench/lib/database.js";
import { seedTenant, tenantCounts } from "../../bench/lib/tenant-seed.js";

/**
 * The scale benchmark times Glade on copies of rows its services made: the copies must stay valid as the schema
 * moves (a new unique column, a new link), or the benchmark would time errors or rows the app never writes.
 */
const db: BenchDatabase = await createBenchDatabase(
  process.env.GLADE_TEST_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
);
afterAll(() => db.drop());
const SIZE = 40;
const tenant = { merchant: db.merchant, secret: db.secret, catalog: db.catalog };
const seeded = await seedTenant(db.deps, db.sql, tenant, "t", SIZE);
const org = db.merchant.organizationId;

const count = async (query: string) => {
  const [row] = await db.sql.unsafe<{ count: string }[]>(query, [org]);
  return Number(row?.count);
};

describe("seedTenant", () => {
  it("copies each kind of row as many times as tenantCounts says, beside its template", async () => {
    const c = tenantCounts(SIZE);
    const copies: [string, string, number][] = [
      ["customers", "cus_t_", c.customers],
      ["checkout_sessions", "chckt_session_t_", c.sessions],
      ["events", "evt_t_", c.events],
      ["payments", "pymt_t_", c.paid],
      ["subscriptions", "sub_t_", c.subscriptions],
      ["webhook_deliveries", "whdel_t_", c.deliveries],
    ];
    for (const [table, prefix, expected] of copies) {
      // starts_with, not LIKE: "_" is LIKE's any-character, so 'evt_t_%' also matched a template's evt_tK….
      const query = `select count(*) from ${table} where organization_id = $1 and starts_with(id, '${prefix}')`;
      expect(await count(query), table).toBe(expected);
    }
  });

  it("links every copy to copies that exist", async () => {
    const dangling = [
      "select count(*) from checkout_sessions s where s.organization_id = $1 and s.customer_id is not null and not exists (select 1 from customers c where c.id = s.customer_id)",
      "select count(*) from checkout_sessions s where s.organization_id = $1 and s.purchase_id is not null and not exists (select 1 from purchases p where p.id = s.purchase_id and p.checkout_session_id = s.id)",
      "select count(*) from invoices i where i.organization_id = $1 and not exists (select 1 from customers c where c.id = i.customer_id)",
      "select count(*) from invoice_line_items l where l.organization_id = $1 and not exists (select 1 from invoices i where i.id = l.invoice_id)",
      "select count(*) from payments p where p.organization_id = $1 and not exists (select 1 from invoices i where i.id = p.invoice_id and i.customer_id = p.customer_id)",
      "select count(*) from subscriptions s where s.organization_id = $1 and not exists (select 1 from customers c where c.id = s.customer_id)",
      "select count(*) from subscription_items i where i.organization_id = $1 and not exists (select 1 from subscriptions s where s.id = i.subscription_id)",
      "select count(*) from billing_periods b where b.organization_id = $1 and not exists (select 1 from subscriptions s where s.id = b.subscription_id)",
      "select count(*) from webhook_deliveries d where d.organization_id = $1 and not exists (select 1 from events e where e.id = d.event_id)",
      "select count(*) from events e where e.organization_id = $1 and e.payload->>'id' <> e.id",
    ];
    for (const query of dangling) expect(await count(query), query).toBe(0);
  });

  it("numbers the copies in copy order, so the deep cursor lands 90 % down the list", async () => {
    const [row] = await db.sql<{ below: string }[]>`
      select count(*)::text as below from customers
      where organization_id = ${org} and livemode = false and position < ${seeded.deepCustomerPosition}`;
    // Copies 1 … SIZE/10 - 1 and the template, made before them.
    expect(Number(row?.below)).toBe(SIZE / 10);
  });
});
