import type { PlannedRow } from "../db/planned-rows.js";
import type { checkoutSessions } from "../db/schema/index.js";
import type { Config } from "../lib/config.js";
import { multiplyAmount } from "../lib/money.js";
import { toEpochMs, toEpochMsOrNull } from "../lib/wire.js";

export type CheckoutSessionRow = typeof checkoutSessions.$inferSelect;

export function checkoutUrl(
  config: Pick<Config, "publicUrl">,
  session: Pick<CheckoutSessionRow, "id">,
): string {
  return `${config.publicUrl}/checkout/${session.id}`;
}

export function sessionAmountTotal(session: PlannedRow<CheckoutSessionRow>): number | null {
  if (session.unitAmount === null) return null;
  return multiplyAmount(session.unitAmount, session.quantity);
}

export function serializeCheckoutSession(session: PlannedRow<CheckoutSessionRow>) {
  return {
    id: session.id,
    type: session.type,
    status: session.status,
    livemode: session.livemode,
    organizationId: session.organizationId,
    pricingModelId: session.pricingModelId,
    priceId: session.priceId,
    quantity: session.quantity,
    customerId: session.customerId,
    customerEmail: session.customerEmail,
    customerName: session.customerName,
    billingAddress: session.billingAddress ?? null,
    successUrl: session.successUrl,
    cancelUrl: session.cancelUrl,
    outputMetadata: session.outputMetadata ?? null,
    outputName: session.outputName,
    targetSubscriptionId: session.targetSubscriptionId,
    automaticallyUpdateSubscriptions: session.automaticallyUpdateSubscriptions,
    preserveBillingCycleAnchor: session.preserveBillingCycleAnchor,
    paymentMethodType: session.paymentMethodType ?? null,
    discountId: session.discountId,
    purchaseId: session.purchaseId,
    invoiceId: session.invoiceId,
    subscriptionId: session.subscriptionId,
    paymentId: session.paymentId,
    paymentMethodId: session.paymentMethodId,
    anonymous: session.anonymous,
    currency: session.currency,
    amountTotal: sessionAmountTotal(session),
    expires: toEpochMs(session.expiresAt),
    completedAt: toEpochMsOrNull(session.completedAt),
    createdAt: toEpochMs(session.createdAt),
    updatedAt: toEpochMs(session.updatedAt),
  };
}

export function toCheckoutSessionResponse(config: Pick<Config, "publicUrl">, session: CheckoutSessionRow) {
  return { checkoutSession: serializeCheckoutSession(session), url: checkoutUrl(config, session) };
}
