import { and, asc, desc, eq, isNotNull, ne, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { CardDetails, Merchant, ProcessorName } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { type PlannedRow, rowWrite } from "../db/planned-rows.js";
import { type BillingAddress, paymentMethods } from "../db/schema/index.js";
import { ownedBy, param, params, rawStatement, sameTenant, statement, tenant } from "../db/statement.js";
import { notFound, panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { type EmitEventInput, emitEvent, eventAbout, type Planned } from "../webhooks/index.js";
import { type PaymentMethodRow, serializePaymentMethod } from "./serialize.js";

const inScope = (merchant: Merchant) => and(ownedBy(paymentMethods, merchant));

const lockStatement = rawStatement(
  "lock_customer_payment_methods",
  sql`select pg_advisory_xact_lock(hashtextextended(${param("key")}, 0))`,
);

/**
 * Serializes default-method changes per customer: without it two concurrent saves for a customer with no
 * default would both decide to become the default and one would die on the partial unique index.
 */
async function lockCustomerMethods(tx: Executor, customerId: string): Promise<void> {
  await lockStatement(tx, { key: `payment_methods:${customerId}` });
}

export async function getPaymentMethod(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<PaymentMethodRow | undefined> {
  const [row] = await db
    .select()
    .from(paymentMethods)
    .where(and(inScope(merchant), eq(paymentMethods.id, id)));
  return row;
}

/** The customer's saved cards, the default first, then oldest first. */
export async function listPaymentMethodsForCustomer(
  db: Executor,
  merchant: Merchant,
  customerId: string,
): Promise<PaymentMethodRow[]> {
  return db
    .select()
    .from(paymentMethods)
    .where(and(inScope(merchant), eq(paymentMethods.customerId, customerId)))
    .orderBy(sql`${paymentMethods.isDefault} desc`, asc(paymentMethods.position));
}

async function makeDefault(
  tx: Executor,
  merchant: Merchant,
  customerId: string,
  id: string,
  now: Date,
): Promise<void> {
  // Unset first: the partial unique index allows only one default per customer at any instant.
  await tx
    .update(paymentMethods)
    .set({ isDefault: false, updatedAt: now })
    .where(
      and(
        inScope(merchant),
        eq(paymentMethods.customerId, customerId),
        eq(paymentMethods.isDefault, true),
        ne(paymentMethods.id, id),
      ),
    );
  await tx
    .update(paymentMethods)
    .set({ isDefault: true, updatedAt: now })
    .where(and(inScope(merchant), eq(paymentMethods.id, id), eq(paymentMethods.isDefault, false)));
}

export async function setDefaultPaymentMethod(
  tx: Executor,
  merchant: Merchant,
  customerId: string,
  paymentMethodId: string,
  now: Date,
): Promise<void> {
  const method = await getPaymentMethod(tx, merchant, paymentMethodId);
  if (!method || method.customerId !== customerId) throw notFound("Payment method", paymentMethodId);
  await lockCustomerMethods(tx, customerId);
  await makeDefault(tx, merchant, customerId, paymentMethodId, now);
}

export type SavePaymentMethodInput = {
  /** Pre-generated id, for callers that write rows pointing at this one alongside it. */
  id?: string | undefined;
  customerId: string;
  pricingModelId: string | null;
  processor: ProcessorName;
  processorMethodId: string;
  /** The processor's customer the card is attached to, where the processor has one (Stripe). */
  processorCustomerId?: string | null | undefined;
  card: CardDetails;
  billingDetails?: BillingAddress | null;
  /** The card replaces the customer's default (an add-payment-method session without a target). */
  makeDefault: boolean;
};

/**
 * THE default-card rule: a customer's first card becomes its default, and so does a card saved to replace
 * it. Defaults are never removed, only moved, so "has one" cannot turn false once read.
 */
export function newCardIsDefault(customerHasDefaultCard: boolean, makeDefault = false): boolean {
  return makeDefault || !customerHasDefaultCard;
}

const METHOD_COLUMNS = [
  "id",
  "organizationId",
  "livemode",
  "pricingModelId",
  "customerId",
  "brand",
  "last4",
  "expMonth",
  "expYear",
  "billingDetails",
  "processor",
  "processorMethodId",
  "processorCustomerId",
  "isDefault",
  "createdAt",
  "updatedAt",
] as const;
type NewMethod = typeof paymentMethods.$inferInsert;

const unsetDefault = statement("unset_default_payment_method", (db) =>
  db
    .update(paymentMethods)
    .set({ isDefault: false, updatedAt: param("now") as unknown as Date })
    .where(
      and(
        sameTenant(paymentMethods),
        eq(paymentMethods.customerId, param("customerId")),
        eq(paymentMethods.isDefault, true),
      ),
    ),
);

const insertMethod = statement("insert_payment_method", (db) =>
  db
    .insert(paymentMethods)
    .values({ ...params<NewMethod>(METHOD_COLUMNS), type: "card" })
    .returning(),
);

/** What a saved card is written with besides its type. */
function methodValues(
  merchant: Merchant,
  input: Omit<SavePaymentMethodInput, "makeDefault">,
  isDefault: boolean,
  now: Date,
) {
  return {
    id: input.id ?? newId("paymentMethod"),
    ...tenant(merchant),
    pricingModelId: input.pricingModelId,
    customerId: input.customerId,
    brand: input.card.brand,
    last4: input.card.last4,
    expMonth: input.card.expMonth,
    expYear: input.card.expYear,
    billingDetails: input.billingDetails ?? null,
    processor: input.processor,
    processorMethodId: input.processorMethodId,
    processorCustomerId: input.processorCustomerId ?? null,
    isDefault,
    createdAt: now,
    updatedAt: now,
  } satisfies Pick<NewMethod, (typeof METHOD_COLUMNS)[number]>;
}

/**
 * A card planned to be written in a statement composed elsewhere, for a customer who had a default card or
 * not when the caller read them (`customerHasDefaultCardSql`). If one appeared meanwhile, a second default
 * violates `payment_methods_one_default_per_customer` and the whole statement is rolled back.
 */
export function planCard(
  merchant: Merchant,
  input: Omit<SavePaymentMethodInput, "makeDefault">,
  customerHasDefaultCard: boolean,
  now: Date,
): Planned<PaymentMethodRow> {
  const row: PlannedRow<PaymentMethodRow> = {
    ...methodValues(merchant, input, newCardIsDefault(customerHasDefaultCard), now),
    type: "card",
  };
  return { row, writes: [rowWrite(paymentMethods, row)], events: [paymentMethodCreatedEvent(row)] };
}

/** Whether the customer `customerId` (a column of the caller's row) already has a default card. */
export function customerHasDefaultCardSql(ref: {
  customerId: SQLWrapper;
  organizationId: SQLWrapper;
  livemode: SQLWrapper;
}): SQL<boolean> {
  return sql<boolean>`exists (select 1 from ${paymentMethods} where ${paymentMethods.customerId} = ${ref.customerId}
    and ${paymentMethods.isDefault} and ${sameTenant(paymentMethods, ref.organizationId, ref.livemode)})`;
}

const customerHasDefaultCard = rawStatement<{ has: boolean }>(
  "customer_has_default_card",
  sql`select ${customerHasDefaultCardSql({
    customerId: param("customerId"),
    organizationId: param("organizationId"),
    livemode: param("livemode"),
  })} as has`,
);

function paymentMethodCreatedEvent(row: PlannedRow<PaymentMethodRow>): EmitEventInput {
  return eventAbout(row, "payment_method.created", "payment_method", serializePaymentMethod(row));
}

/** Stores the card's display facts and the processor token only; the card number never reaches here. */
export async function savePaymentMethod(
  tx: Executor,
  merchant: Merchant,
  input: SavePaymentMethodInput,
  now: Date,
): Promise<PaymentMethodRow> {
  const customer = { ...tenant(merchant), customerId: input.customerId };
  await lockCustomerMethods(tx, input.customerId);
  // A card that replaces the default needs no reading: the old default is moved off it instead.
  if (input.makeDefault) await unsetDefault(tx, { ...customer, now });
  const hasDefault = !input.makeDefault && (await customerHasDefaultCard(tx, customer))[0]?.has === true;
  const isDefault = newCardIsDefault(hasDefault, input.makeDefault);
  const [saved] = await insertMethod(tx, methodValues(merchant, input, isDefault, now));
  if (!saved) panic("payment method insert returned nothing");
  await emitEvent(tx, paymentMethodCreatedEvent(saved), now);
  return saved;
}

/**
 * The processor customer a customer's saved card is attached to, newest card first: how a customer whose
 * first card came from an anonymous checkout is found at the processor again.
 */
export async function processorCustomerOfSavedCard(
  db: Executor,
  customerId: string,
  processor: ProcessorName,
): Promise<{ processorCustomerId: string; organizationId: string; livemode: boolean } | undefined> {
  const [card] = await db
    .select({
      processorCustomerId: paymentMethods.processorCustomerId,
      organizationId: paymentMethods.organizationId,
      livemode: paymentMethods.livemode,
    })
    .from(paymentMethods)
    .where(
      and(
        eq(paymentMethods.customerId, customerId),
        eq(paymentMethods.processor, processor),
        isNotNull(paymentMethods.processorCustomerId),
      ),
    )
    .orderBy(desc(paymentMethods.position))
    .limit(1);
  return card?.processorCustomerId ? { ...card, processorCustomerId: card.processorCustomerId } : undefined;
}
