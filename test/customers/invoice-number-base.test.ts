import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createCustomer } from "../../src/customers/index.js";
import { MIGRATIONS_DIR } from "../../src/db/client.js";
import { checkoutSessions, customers, invoices } from "../../src/db/schema/index.js";
import { createInvoice } from "../../src/invoices/index.js";
import {
  anonymousSession,
  CARDS,
  catalogFixture,
  submitCheckoutForm,
  testContext,
} from "../support/index.js";

/** The invoice number bases the next new customers draw, in order; empty means random as usual. */
const draws = vi.hoisted(() => [] as string[]);
vi.mock("../../src/lib/ids.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/lib/ids.js")>();
  return { ...actual, randomHex: (bytes: number) => draws.shift() ?? actual.randomHex(bytes) };
});

const ctx = await testContext();
const db = ctx.deps.db;

async function customerOf(id: string) {
  const [row] = await db.select().from(customers).where(eq(customers.id, id));
  if (!row) throw new Error(`customer ${id} missing`);
  return row;
}

async function paidInvoiceFor(customerId: string, merchant: Parameters<typeof createInvoice>[1]) {
  const { pricingModelId } = await customerOf(customerId);
  const { invoice } = await db.transaction((tx) =>
    createInvoice(
      tx,
      merchant,
      {
        customerId,
        pricingModelId,
        type: "standalone",
        currency: "USD",
        lines: [{ priceId: null, description: "Setup", quantity: 1, unitPrice: 500 }],
        status: "paid",
      },
      ctx.deps.now(),
    ),
  );
  return invoice;
}

describe("invoice number bases are unique per merchant and mode", () => {
  it("a customer whose drawn base is taken draws again, so both customers' invoices are numbered", async () => {
    const f = await catalogFixture(ctx);
    const merchant = { organizationId: f.merchant.organizationId, livemode: false, apiKeyId: "test" };
    draws.push("0A0A0A0A", "0A0A0A0A", "0B0B0B0B");
    const first = await db.transaction((tx) =>
      createCustomer(
        tx,
        merchant,
        { externalId: "base-first", email: "a@example.com", name: "A" },
        ctx.deps.now(),
      ),
    );
    const second = await db.transaction((tx) =>
      createCustomer(
        tx,
        merchant,
        { externalId: "base-second", email: "b@example.com", name: "B" },
        ctx.deps.now(),
      ),
    );
    expect(draws).toEqual([]);
    expect(first.invoiceNumberBase).toBe("0A0A0A0A");
    expect(second.invoiceNumberBase).toBe("0B0B0B0B");
    expect((await paidInvoiceFor(first.id, merchant)).invoiceNumber).toBe("0A0A0A0A-0001");
    expect((await paidInvoiceFor(second.id, merchant)).invoiceNumber).toBe("0B0B0B0B-0001");

    // The same base in the other mode is another merchant's sequence: allowed.
    draws.push("0A0A0A0A");
    const live = await db.transaction((tx) =>
      createCustomer(
        tx,
        { ...merchant, livemode: true },
        { externalId: "base-live", email: "l@example.com", name: "L" },
        ctx.deps.now(),
      ),
    );
    expect(live.invoiceNumberBase).toBe("0A0A0A0A");
  });

  it("a taken externalId is still a conflict, not another draw", async () => {
    const f = await catalogFixture(ctx);
    const merchant = { organizationId: f.merchant.organizationId, livemode: false, apiKeyId: "test" };
    await db.transaction((tx) =>
      createCustomer(
        tx,
        merchant,
        { externalId: "twice", email: "t@example.com", name: "T" },
        ctx.deps.now(),
      ),
    );
    await expect(
      db.transaction((tx) =>
        createCustomer(
          tx,
          merchant,
          { externalId: "twice", email: "t@example.com", name: "T" },
          ctx.deps.now(),
        ),
      ),
    ).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("a guest checkout whose new customer draws a taken base is settled by the transaction, once", async () => {
    const f = await catalogFixture(ctx);
    const merchant = { organizationId: f.merchant.organizationId, livemode: false, apiKeyId: "test" };
    draws.push("0C0C0C0C");
    const owner = await db.transaction((tx) =>
      createCustomer(
        tx,
        merchant,
        { externalId: "base-owner", email: "o@example.com", name: "O" },
        ctx.deps.now(),
      ),
    );
    await paidInvoiceFor(owner.id, merchant);

    // The one-statement path's guest draws the taken base (its insert is refused and the statement rolled
    // back); the transaction's guest draws it again, then a free one.
    draws.push("0C0C0C0C", "0C0C0C0C", "0D0D0D0D");
    const id = await anonymousSession(ctx, f);
    const res = await submitCheckoutForm(ctx, id, { cardNumber: CARDS.ok });
    expect(res.status).toBe(303);
    expect(draws).toEqual([]);
    const [session] = await db.select().from(checkoutSessions).where(eq(checkoutSessions.id, id));
    expect(session?.status).toBe("succeeded");
    const guest = await customerOf(session?.customerId ?? "");
    expect(guest.invoiceNumberBase).toBe("0D0D0D0D");
    const guestInvoices = await db.select().from(invoices).where(eq(invoices.customerId, guest.id));
    expect(guestInvoices.map((i) => i.invoiceNumber)).toEqual(["0D0D0D0D-0001"]);
    const guests = await db.select().from(customers).where(eq(customers.email, "buyer@example.com"));
    expect(guests.filter((c) => c.organizationId === f.merchant.organizationId)).toHaveLength(1);
  });
});

describe("migration 0005 on a database where customers already share bases", () => {
  const name = `glade_base_migration_${Date.now()}_${randomBytes(4).toString("hex")}`;
  const admin = postgres("postgres://postgres@127.0.0.1:5432/postgres", { max: 1, onnotice: () => {} });
  let sql: postgres.Sql | undefined;
  afterAll(async () => {
    await sql?.end({ timeout: 5 });
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end({ timeout: 5 });
  });

  const migrationFiles = readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith(".sql"))
    .sort();
  async function apply(file: string) {
    const text = readFileSync(join(MIGRATIONS_DIR, file), "utf8");
    for (const part of text.split("--> statement-breakpoint")) if (part.trim()) await sql?.unsafe(part);
  }

  it("keeps the oldest customer's base, gives the others distinct longer ones, then enforces uniqueness", async () => {
    await admin.unsafe(`create database "${name}"`);
    sql = postgres(`postgres://postgres@127.0.0.1:5432/${name}`, { max: 1, onnotice: () => {} });
    const target = migrationFiles.findIndex((f) => f.startsWith("0005_"));
    expect(target).toBeGreaterThan(0);
    for (const file of migrationFiles.slice(0, target)) await apply(file);

    const customer = (id: string, org: string, base: string) =>
      sql?.unsafe(
        `insert into customers (id, organization_id, livemode, pricing_model_id, external_id, email, name,
         invoice_number_base) values ($1, $2, false, 'pm', $1, 'x@example.com', 'X', $3)`,
        [id, org, base],
      );
    await customer("cus_old", "org_a", "ABCDEF01");
    await customer("cus_mid", "org_a", "ABCDEF01");
    await customer("cus_new", "org_a", "ABCDEF01");
    await customer("cus_other_org", "org_b", "ABCDEF01");
    await customer("cus_alone", "org_a", "12345678");

    await apply(migrationFiles[target] as string);
    const rows = await sql.unsafe<{ id: string; invoice_number_base: string }[]>(
      "select id, invoice_number_base from customers order by position",
    );
    const base = Object.fromEntries(rows.map((r) => [r.id, r.invoice_number_base]));
    expect(base.cus_old).toBe("ABCDEF01");
    expect(base.cus_other_org).toBe("ABCDEF01");
    expect(base.cus_alone).toBe("12345678");
    expect(base.cus_mid).toMatch(/^ABCDEF01[0-9A-F]{8}$/);
    expect(base.cus_new).toMatch(/^ABCDEF01[0-9A-F]{8}$/);
    expect(base.cus_mid).not.toBe(base.cus_new);

    await expect(customer("cus_dup", "org_a", "12345678")).rejects.toMatchObject({ code: "23505" });
  });
});
