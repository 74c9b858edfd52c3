import { z } from "@hono/zod-openapi";
import { PricingModelDetailsSchema } from "../catalog/index.js";
import { InvoiceWithLineItems } from "../invoices/index.js";
import { PaymentMethodRecord } from "../payments/index.js";
import { PurchaseRecord } from "../purchases/index.js";
import { SubscriptionDetailsRecord } from "../subscriptions/index.js";
import { CustomerRecordSchema } from "./schemas.js";

function build() {
  return z
    .object({
      customer: CustomerRecordSchema,
      billingPortalUrl: z.string(),
      pricingModel: PricingModelDetailsSchema,
      catalog: PricingModelDetailsSchema.openapi({ description: "Deprecated duplicate of pricingModel" }),
      subscriptions: z.array(SubscriptionDetailsRecord),
      currentSubscription: SubscriptionDetailsRecord.optional(),
      currentSubscriptions: z.array(SubscriptionDetailsRecord),
      purchases: z.array(PurchaseRecord),
      invoices: z.array(InvoiceWithLineItems),
      paymentMethods: z.array(PaymentMethodRecord),
    })
    .openapi("CustomerBilling");
}

let schema: ReturnType<typeof build> | undefined;

/**
 * Built on first use, not at import: subscriptions and checkout import customers, so at import time the
 * other domains' schemas may not be initialised yet (an import cycle ESM resolves by evaluation order).
 */
export function customerBillingSchema(): ReturnType<typeof build> {
  schema ??= build();
  return schema;
}
