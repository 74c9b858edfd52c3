import { eq } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { subscriptions } from "../db/schema/index.js";
import { panic } from "../lib/errors.js";
import { emitEvent } from "../webhooks/index.js";
import { type SubscriptionRow, serializeSubscription } from "./serialize.js";

export type SubscriptionChanges = Partial<
  Pick<
    SubscriptionRow,
    | "status"
    | "defaultPaymentMethodId"
    | "billingCycleAnchorDate"
    | "currentBillingPeriodStart"
    | "currentBillingPeriodEnd"
    | "canceledAt"
    | "cancelScheduledAt"
    | "priceId"
    | "isFreePlan"
    | "itemsChangeAt"
  >
>;

/** Writes a change to an already locked subscription and announces it in the same transaction. */
export async function applySubscriptionChange(
  tx: Executor,
  merchant: Merchant,
  locked: SubscriptionRow,
  changes: SubscriptionChanges,
  eventType: "subscription.updated" | "subscription.canceled",
  now: Date,
): Promise<SubscriptionRow> {
  const [updated] = await tx
    .update(subscriptions)
    .set({ ...changes, updatedAt: now })
    .where(eq(subscriptions.id, locked.id))
    .returning();
  if (!updated) panic(`subscription ${locked.id} vanished while locked`);
  await emitEvent(
    tx,
    {
      organizationId: merchant.organizationId,
      livemode: merchant.livemode,
      type: eventType,
      objectType: "subscription",
      objectId: updated.id,
      object: serializeSubscription(updated),
    },
    now,
  );
  return updated;
}
