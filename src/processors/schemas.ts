import { z } from "@hono/zod-openapi";
import { EpochMs } from "../lib/wire.js";
import { MAX_STRIPE_KEY_LENGTH, STRIPE_KEY_FORMATS } from "./connection-keys.js";

const stripeKey = (field: keyof typeof STRIPE_KEY_FORMATS, example: string) =>
  z
    .string()
    .max(MAX_STRIPE_KEY_LENGTH)
    .regex(
      STRIPE_KEY_FORMATS[field].pattern,
      `must be a Stripe key of the form ${STRIPE_KEY_FORMATS[field].expected}`,
    )
    .openapi({ example });

/** Flat, as Stripe names the three values in its dashboard. The mode of both keys must be the API key's. */
export const ConnectStripeBody = z
  .strictObject({
    secretKey: stripeKey("secretKey", "sk_test_51H…"),
    publishableKey: stripeKey("publishableKey", "pk_test_51H…"),
    webhookSecret: stripeKey("webhookSecret", "whsec_…"),
  })
  .openapi("ConnectStripeInput");

export const ProcessorConnectionSchema = z
  .object({
    id: z.string(),
    processor: z.literal("stripe"),
    organizationId: z.string(),
    livemode: z.boolean(),
    /** Stripe's `acct_…`, read with the key when it was connected. */
    accountId: z.string(),
    publishableKey: z.string(),
    /** `sk_test_…1234`: the secret key itself is never answered. */
    secretKeyHint: z.string(),
    /** Register this URL in Stripe's dashboard, with the webhook secret connected here. */
    webhookUrl: z.string(),
    createdAt: EpochMs,
    updatedAt: EpochMs,
  })
  .openapi("ProcessorConnection");

export const ProcessorConnectionEnvelope = z.object({ processorConnection: ProcessorConnectionSchema });
