import { z } from "@hono/zod-openapi";
import { EpochMs, EpochMsInput, HttpUrl, MetadataSchema } from "../lib/wire.js";

/** Redirect targets; the organization's allow-list (if any) is checked in the service. */
export const RedirectUrl = HttpUrl;

const Common = {
  successUrl: RedirectUrl,
  cancelUrl: RedirectUrl,
  outputMetadata: MetadataSchema.nullable().optional(),
  outputName: z.string().max(500).optional(),
  /** When the session stops accepting payment: 30 minutes to 24 hours from now (default 24 h). */
  expiresAt: EpochMsInput.optional(),
};

const ProductSession = z
  .strictObject({
    type: z.literal("product"),
    priceId: z.string().min(1).max(100).optional(),
    priceSlug: z.string().min(1).max(200).optional(),
    quantity: z.number().int().min(1).max(10_000).default(1),
    customerExternalId: z.string().min(1).max(255).nullable().optional(),
    anonymous: z.boolean().optional(),
    preserveBillingCycleAnchor: z.boolean().optional(),
    ...Common,
  })
  .openapi("CreateProductCheckoutSession");

const AddPaymentMethodSession = z
  .strictObject({
    type: z.literal("add_payment_method"),
    customerExternalId: z.string().min(1).max(255),
    targetSubscriptionId: z.string().min(1).max(100).optional(),
    automaticallyUpdateSubscriptions: z.boolean().nullable().optional(),
    ...Common,
  })
  .openapi("CreateAddPaymentMethodCheckoutSession");

const ActivateSubscriptionSession = z
  .strictObject({
    type: z.literal("activate_subscription"),
    customerExternalId: z.string().min(1).max(255),
    targetSubscriptionId: z.string().min(1).max(100),
    preserveBillingCycleAnchor: z.boolean().optional(),
    ...Common,
  })
  .openapi("CreateActivateSubscriptionCheckoutSession");

export const CreateCheckoutSessionInput = z.discriminatedUnion("type", [
  ProductSession,
  AddPaymentMethodSession,
  ActivateSubscriptionSession,
]);
export type CreateCheckoutSessionInput = z.infer<typeof CreateCheckoutSessionInput>;

export const CreateCheckoutSessionBody = z
  .strictObject({ checkoutSession: CreateCheckoutSessionInput })
  .openapi("CreateCheckoutSessionBody");

const BillingAddressSchema = z.object({
  name: z.string().optional(),
  email: z.string().optional(),
  address: z.object({
    country: z.string(),
    city: z.string().optional(),
    line1: z.string().optional(),
    postal_code: z.string().optional(),
  }),
});

export const CheckoutSessionRecord = z
  .object({
    id: z.string(),
    type: z.enum(["product", "add_payment_method", "activate_subscription"]),
    status: z.enum(["open", "pending", "succeeded", "failed", "expired"]),
    livemode: z.boolean(),
    organizationId: z.string(),
    pricingModelId: z.string(),
    priceId: z.string().nullable(),
    quantity: z.number().int(),
    customerId: z.string().nullable(),
    customerEmail: z.string().nullable(),
    customerName: z.string().nullable(),
    billingAddress: BillingAddressSchema.nullable(),
    successUrl: z.string().nullable(),
    cancelUrl: z.string().nullable(),
    outputMetadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).nullable(),
    outputName: z.string().nullable(),
    targetSubscriptionId: z.string().nullable(),
    automaticallyUpdateSubscriptions: z.boolean().nullable(),
    preserveBillingCycleAnchor: z.boolean(),
    paymentMethodType: z.literal("card").nullable(),
    discountId: z.string().nullable(),
    purchaseId: z.string().nullable(),
    invoiceId: z.string().nullable(),
    subscriptionId: z.string().nullable(),
    paymentId: z.string().nullable(),
    paymentMethodId: z.string().nullable(),
    anonymous: z.boolean(),
    currency: z.string().nullable(),
    amountTotal: z.number().int().nullable(),
    expires: EpochMs,
    completedAt: EpochMs.nullable(),
    createdAt: EpochMs,
    updatedAt: EpochMs,
  })
  .openapi("CheckoutSessionRecord");

export const CheckoutSessionResponse = z
  .object({ checkoutSession: CheckoutSessionRecord, url: z.string() })
  .openapi("CheckoutSessionResponse");
