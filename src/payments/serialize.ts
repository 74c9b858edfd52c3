import type { PlannedRow } from "../db/planned-rows.js";
import type { paymentMethods, payments } from "../db/schema/index.js";
import { NO_TAX } from "../lib/tax.js";
import { toEpochMs, toEpochMsOrNull } from "../lib/wire.js";
import type { PaymentMethodRecord, PaymentRecord } from "./schemas.js";

export type PaymentMethodRow = typeof paymentMethods.$inferSelect;
export type PaymentRow = typeof payments.$inferSelect;

export function serializePaymentMethod(row: PlannedRow<PaymentMethodRow>): PaymentMethodRecord {
  const details = row.billingDetails;
  return {
    id: row.id,
    customerId: row.customerId,
    type: "card",
    default: row.isDefault,
    paymentMethodData: {
      brand: row.brand,
      last4: row.last4,
      exp_month: row.expMonth,
      exp_year: row.expYear,
    },
    billingDetails: {
      name: details?.name ?? null,
      email: details?.email ?? null,
      address: details?.address ?? null,
    },
    livemode: row.livemode,
    pricingModelId: row.pricingModelId,
    createdAt: toEpochMs(row.createdAt),
    updatedAt: toEpochMs(row.updatedAt),
    metadata: null,
  };
}

export function serializePayment(row: PlannedRow<PaymentRow>): PaymentRecord {
  return {
    id: row.id,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    customerId: row.customerId,
    invoiceId: row.invoiceId,
    purchaseId: row.purchaseId,
    subscriptionId: row.subscriptionId,
    paymentMethodId: row.paymentMethodId,
    checkoutSessionId: row.checkoutSessionId,
    billingPeriodId: row.billingPeriodId,
    description: row.description,
    subtotal: row.amount,
    applicationFee: null,
    ...NO_TAX,
    chargeDate: toEpochMs(row.chargeDate),
    refunded: row.refundedAmount > 0,
    refundedAmount: row.refundedAmount,
    refundedAt: toEpochMsOrNull(row.refundedAt),
    failureCode: row.failureCode,
    failureMessage: row.failureMessage,
    livemode: row.livemode,
    organizationId: row.organizationId,
    pricingModelId: row.pricingModelId,
    paymentMethod: "card",
    createdAt: toEpochMs(row.createdAt),
    updatedAt: toEpochMs(row.updatedAt),
  };
}
