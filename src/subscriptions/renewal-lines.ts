import { and, asc, eq, gt, isNull, lte, or } from "drizzle-orm";
import { getPrice } from "../catalog/index.js";
import type { ClosingPeriod, Merchant, UsageBilling } from "../context/index.js";
import type { Transaction } from "../db/client.js";
import { subscriptionItems } from "../db/schema/index.js";
import { sameTenant } from "../db/statement.js";
import type { InvoiceLineInput } from "../invoices/index.js";
import { panic } from "../lib/errors.js";
import { getCurrentBillingPeriods } from "./queries.js";
import type { SubscriptionRow } from "./serialize.js";

/** The period a renewal closes: the billing period row the subscription is in until the renewal moves it. */
async function closingPeriod(
  tx: Transaction,
  merchant: Merchant,
  sub: SubscriptionRow,
): Promise<ClosingPeriod> {
  const row =
    (await getCurrentBillingPeriods(tx, merchant, [sub])).get(sub.id) ??
    panic(`due subscription ${sub.id} has no current billing period row`);
  return {
    subscriptionId: sub.id,
    customerId: sub.customerId,
    pricingModelId: sub.pricingModelId,
    billingPeriodId: row.id,
    startDate: row.startDate,
    endDate: row.endDate,
  };
}

/**
 * A renewal invoice's lines, in the renewal's transaction: the items in force when the new period starts, in
 * advance, then the closing period's usage, in arrears (billed by `usageBilling`, which marks it billed in this
 * transaction). Usage prices held as items are billed by their usage only, never as a fixed line.
 */
export async function renewalLines(
  tx: Transaction,
  merchant: Merchant,
  sub: SubscriptionRow,
  start: Date,
  usageBilling: UsageBilling,
  now: Date,
): Promise<{ currency: string; lines: InvoiceLineInput[] }> {
  const items = await tx
    .select()
    .from(subscriptionItems)
    .where(
      and(
        eq(subscriptionItems.subscriptionId, sub.id),
        sameTenant(subscriptionItems, merchant.organizationId, merchant.livemode),
        lte(subscriptionItems.addedDate, start),
        or(isNull(subscriptionItems.expiredAt), gt(subscriptionItems.expiredAt, start)),
      ),
    )
    .orderBy(asc(subscriptionItems.position));
  const price = await getPrice(tx, merchant, sub.priceId);
  const fixed = [];
  for (const item of items) {
    if ((await getPrice(tx, merchant, item.priceId))?.type !== "usage") fixed.push(item);
  }
  const usage = await usageBilling.billClosingPeriod(
    tx,
    merchant,
    await closingPeriod(tx, merchant, sub),
    now,
  );
  return {
    currency: price?.currency ?? "USD",
    lines: [
      ...fixed.map((item) => ({
        priceId: item.priceId,
        description: item.name ?? price?.name ?? "Subscription",
        quantity: item.quantity,
        unitPrice: item.unitPrice,
      })),
      ...usage.map(({ usageMeterId, creditsApplied, billingPeriodId, ...line }) => ({
        ...line,
        usage: { usageMeterId, creditsApplied, billingPeriodId },
      })),
    ],
  };
}
