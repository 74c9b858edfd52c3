import { and, eq, sql } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { type PlannedRow, rowWrite } from "../db/planned-rows.js";
import { discountRedemptions } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { newId } from "../lib/ids.js";
import type { Planned } from "../webhooks/index.js";
import type { DiscountRow } from "./serialize.js";

export type DiscountRedemptionRow = typeof discountRedemptions.$inferSelect;

/** Whether a redemption that has reduced `paymentsApplied` payments is used up. */
function usedUp(
  terms: Pick<DiscountRedemptionRow, "duration" | "numberOfPayments">,
  paymentsApplied: number,
) {
  if (terms.duration === "forever") return false;
  if (terms.duration === "once") return paymentsApplied >= 1;
  return paymentsApplied >= (terms.numberOfPayments ?? 1);
}

/**
 * The record of one successful checkout's use of a discount, with the discount's terms copied so a later
 * edit cannot change what this customer was promised. `charged`: the checkout's payment was reduced (a
 * trial's checkout charges nothing, so its first renewal is the first payment the discount reduces).
 */
export function planRedemption(
  merchant: Merchant,
  input: {
    id?: string | undefined;
    discount: DiscountRow;
    checkoutSessionId: string;
    customerId: string;
    purchaseId: string | null;
    subscriptionId: string | null;
    charged: boolean;
  },
  now: Date,
): Planned<DiscountRedemptionRow> {
  const { discount } = input;
  const paymentsApplied = input.charged ? 1 : 0;
  const row: PlannedRow<DiscountRedemptionRow> = {
    id: input.id ?? newId("discountRedemption"),
    organizationId: merchant.organizationId,
    livemode: merchant.livemode,
    discountId: discount.id,
    checkoutSessionId: input.checkoutSessionId,
    customerId: input.customerId,
    purchaseId: input.purchaseId,
    subscriptionId: input.subscriptionId,
    discountName: discount.name,
    discountCode: discount.code,
    discountAmountType: discount.amountType,
    discountAmount: discount.amount,
    duration: discount.duration,
    numberOfPayments: discount.numberOfPayments,
    paymentsApplied,
    // A one-time purchase uses its discount up at once; a subscription keeps it for the renewals it covers.
    fullyRedeemed: input.subscriptionId === null || usedUp(discount, paymentsApplied),
    createdAt: now,
    updatedAt: now,
  };
  return { row, writes: [rowWrite(discountRedemptions, row)], events: [] };
}

/** The subscription's redemption that still reduces payments, if any (locked: the renewal counts it). */
export async function lockRunningRedemption(
  tx: Executor,
  merchant: Merchant,
  subscriptionId: string,
): Promise<DiscountRedemptionRow | undefined> {
  const [row] = await tx
    .select()
    .from(discountRedemptions)
    .where(
      and(
        ownedBy(discountRedemptions, merchant),
        eq(discountRedemptions.subscriptionId, subscriptionId),
        eq(discountRedemptions.fullyRedeemed, false),
      ),
    )
    .for("update");
  return row;
}

/** One more payment reduced by the redemption, in the transaction that recorded it. */
export async function countRedeemedPayment(
  tx: Executor,
  redemption: DiscountRedemptionRow,
  now: Date,
): Promise<void> {
  const paymentsApplied = redemption.paymentsApplied + 1;
  await tx
    .update(discountRedemptions)
    .set({
      paymentsApplied: sql`${discountRedemptions.paymentsApplied} + 1`,
      fullyRedeemed: usedUp(redemption, paymentsApplied),
      updatedAt: now,
    })
    .where(eq(discountRedemptions.id, redemption.id));
}

export async function getRedemption(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<DiscountRedemptionRow | undefined> {
  const [row] = await db
    .select()
    .from(discountRedemptions)
    .where(and(ownedBy(discountRedemptions, merchant), eq(discountRedemptions.id, id)));
  return row;
}
