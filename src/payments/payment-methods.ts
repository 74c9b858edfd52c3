import { and, asc, eq, ne, sql } from "drizzle-orm";
import type { Executor } from "../db/client.js";
import { type BillingAddress, paymentMethods } from "../db/schema/index.js";
import { ownedBy } from "../db/tenant.js";
import type { Merchant } from "../http/types.js";
import { notFound } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { emitEvent } from "../webhooks/emit-event.js";
import type { CardDetails } from "./processor.js";
import { type PaymentMethodRow, serializePaymentMethod } from "./serialize.js";

const inScope = (merchant: Merchant) => and(ownedBy(paymentMethods, merchant));

/**
 * Serializes default-method changes per customer: without it two concurrent saves for a customer with no
 * default would both decide to become the default and one would die on the partial unique index.
 */
async function lockCustomerMethods(tx: Executor, customerId: string): Promise<void> {
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtextextended(${`payment_methods:${customerId}`}, 0))`,
  );
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

async function makeDefault(tx: Executor, merchant: Merchant, customerId: string, id: string): Promise<void> {
  // Unset first: the partial unique index allows only one default per customer at any instant.
  await tx
    .update(paymentMethods)
    .set({ isDefault: false, updatedAt: new Date() })
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
    .set({ isDefault: true, updatedAt: new Date() })
    .where(and(inScope(merchant), eq(paymentMethods.id, id), eq(paymentMethods.isDefault, false)));
}

export async function setDefaultPaymentMethod(
  tx: Executor,
  merchant: Merchant,
  customerId: string,
  paymentMethodId: string,
): Promise<void> {
  const method = await getPaymentMethod(tx, merchant, paymentMethodId);
  if (!method || method.customerId !== customerId) throw notFound("Payment method", paymentMethodId);
  await lockCustomerMethods(tx, customerId);
  await makeDefault(tx, merchant, customerId, paymentMethodId);
}

export type SavePaymentMethodInput = {
  customerId: string;
  pricingModelId: string | null;
  processor: string;
  processorMethodId: string;
  card: CardDetails;
  billingDetails?: BillingAddress | null;
  makeDefault: boolean;
};

/** Stores the card's display facts and the processor token only; the card number never reaches here. */
export async function savePaymentMethod(
  tx: Executor,
  merchant: Merchant,
  input: SavePaymentMethodInput,
): Promise<PaymentMethodRow> {
  await lockCustomerMethods(tx, input.customerId);
  // Decide the default before inserting, so the row is written once with its final flag.
  let isDefault: boolean;
  if (input.makeDefault) {
    await tx
      .update(paymentMethods)
      .set({ isDefault: false, updatedAt: new Date() })
      .where(
        and(
          inScope(merchant),
          eq(paymentMethods.customerId, input.customerId),
          eq(paymentMethods.isDefault, true),
        ),
      );
    isDefault = true;
  } else {
    const [existingDefault] = await tx
      .select({ id: paymentMethods.id })
      .from(paymentMethods)
      .where(
        and(
          inScope(merchant),
          eq(paymentMethods.customerId, input.customerId),
          eq(paymentMethods.isDefault, true),
        ),
      );
    isDefault = !existingDefault;
  }
  const [saved] = await tx
    .insert(paymentMethods)
    .values({
      id: newId("paymentMethod"),
      organizationId: merchant.organizationId,
      livemode: merchant.livemode,
      pricingModelId: input.pricingModelId,
      customerId: input.customerId,
      type: "card",
      brand: input.card.brand,
      last4: input.card.last4,
      expMonth: input.card.expMonth,
      expYear: input.card.expYear,
      billingDetails: input.billingDetails ?? null,
      isDefault,
      processor: input.processor,
      processorMethodId: input.processorMethodId,
    })
    .returning();
  if (!saved) throw new Error("payment method insert returned nothing");
  await emitEvent(tx, {
    organizationId: merchant.organizationId,
    livemode: merchant.livemode,
    type: "payment_method.created",
    objectType: "payment_method",
    objectId: saved.id,
    object: serializePaymentMethod(saved),
  });
  return saved;
}
