import { z } from "@hono/zod-openapi";
import { PricingModelDetailsSchema } from "../catalog/index.js";
import { CustomerRecordSchema } from "../customers/index.js";
import { InvoiceWithLineItems } from "../invoices/index.js";
import { PaymentMethodRecord } from "../payments/index.js";
import { PurchaseRecord } from "../purchases/index.js";
import { SubscriptionDetailsRecord } from "../subscriptions/index.js";

/** `@flowglad/server`'s getBilling() response: the customer with everything the other domains hold for them. */
export const CustomerBillingSchema = z
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
