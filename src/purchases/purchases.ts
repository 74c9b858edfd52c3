import { and, desc, eq } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { type PlannedRow, rowWrite } from "../db/planned-rows.js";
import { type OutputMetadata, type prices, purchases } from "../db/schema/index.js";
import { insertStatement, ownedBy, param, sameTenant, statement, tenant } from "../db/statement.js";
import { badRequest, panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { multiplyAmount } from "../lib/money.js";
import { type EmitEventInput, emitEvent, eventAbout, type Planned } from "../webhooks/index.js";
import { type PurchaseRow, serializePurchase } from "./serialize.js";

type PriceRow = typeof prices.$inferSelect;

export type CreatePurchaseInput = {
  /** Pre-generated id, for callers that write rows pointing at this one alongside it. */
  id?: string | undefined;
  customerId: string;
  pricingModelId: string;
  price: PriceRow;
  name: string;
  quantity: number;
  status: "paid";
  checkoutSessionId?: string | null | undefined;
  metadata?: OutputMetadata | null | undefined;
  /** What a discount takes off the first invoice (the checkout's; after a trial, the first renewal's). */
  discountAmount?: number | undefined;
};

const scope = (merchant: Merchant) => and(ownedBy(purchases, merchant));

export async function getPurchase(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<PurchaseRow | undefined> {
  const [row] = await db
    .select()
    .from(purchases)
    .where(and(scope(merchant), eq(purchases.id, id)));
  return row;
}

/** Newest first, as the billing view lists them. */
export async function listPurchasesForCustomer(
  db: Executor,
  merchant: Merchant,
  customerId: string,
): Promise<PurchaseRow[]> {
  return purchasesOfCustomer(db, { ...tenant(merchant), customerId });
}

const purchasesOfCustomer = statement("purchases_of_customer", (db) =>
  db
    .select()
    .from(purchases)
    .where(and(eq(purchases.customerId, param("customerId")), sameTenant(purchases)))
    .orderBy(desc(purchases.position)),
);

const insertPurchase = insertStatement("insert_purchase", (db, values: NewPurchase) =>
  db.insert(purchases).values(values).returning(),
);
type NewPurchase = typeof purchases.$inferInsert;

/** Values come from the price the caller passes (its snapshot) × quantity, never from the client. */
export function planPurchase(
  merchant: Merchant,
  input: CreatePurchaseInput,
  now: Date,
): Planned<PurchaseRow> {
  const row = planPurchaseRow(merchant, input, now);
  return {
    row,
    writes: [rowWrite(purchases, row)],
    events: row.status === "paid" ? [purchaseCompletedEvent(row)] : [],
  };
}

function planPurchaseRow(merchant: Merchant, input: CreatePurchaseInput, now: Date): PlannedRow<PurchaseRow> {
  if (!Number.isInteger(input.quantity) || input.quantity < 1) {
    throw badRequest(`Purchase quantity must be a positive integer, got ${input.quantity}`);
  }
  const value = multiplyAmount(input.price.unitPrice, input.quantity);
  const discount = input.discountAmount ?? 0;
  return {
    id: input.id ?? newId("purchase"),
    organizationId: merchant.organizationId,
    livemode: merchant.livemode,
    pricingModelId: input.pricingModelId,
    customerId: input.customerId,
    priceId: input.price.id,
    productId: input.price.productId,
    priceType: input.price.type,
    name: input.name,
    quantity: input.quantity,
    status: input.status,
    currency: input.price.currency.toUpperCase(),
    intervalUnit: input.price.intervalUnit,
    intervalCount: input.price.intervalCount,
    trialPeriodDays: input.price.type === "subscription" ? (input.price.trialPeriodDays ?? 0) : null,
    firstInvoiceValue: value - discount,
    // A subscription's value is its price per billing cycle; a one-time purchase's is what was paid.
    totalPurchaseValue: input.price.type === "subscription" ? value : value - discount,
    metadata: input.metadata ?? null,
    purchaseDate: now,
    endDate: null,
    checkoutSessionId: input.checkoutSessionId ?? null,
    createdAt: now,
    updatedAt: now,
  };
}

function purchaseCompletedEvent(row: PlannedRow<PurchaseRow>): EmitEventInput {
  return eventAbout(row, "purchase.completed", "purchase", serializePurchase(row));
}

export async function createPurchase(
  tx: Executor,
  merchant: Merchant,
  input: CreatePurchaseInput,
  now: Date,
): Promise<PurchaseRow> {
  const [row] = await insertPurchase(tx, planPurchaseRow(merchant, input, now));
  if (!row) panic("purchase insert returned nothing");
  if (row.status === "paid") await emitEvent(tx, purchaseCompletedEvent(row), now);
  return row;
}
