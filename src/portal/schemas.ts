import { z } from "@hono/zod-openapi";
import { EpochMs, EpochMsInput, HttpUrl } from "../lib/wire.js";

export const CreateBillingPortalSessionBody = z
  .strictObject({
    returnUrl: HttpUrl.optional().openapi({
      description: "Where the portal's back link takes the customer; must be in the allowed redirect domains",
    }),
    expiresAt: EpochMsInput.optional().openapi({
      description: "When the link stops working: one minute to 24 hours from now (default one hour)",
    }),
  })
  .openapi("CreateBillingPortalSessionInput");

export const BillingPortalSessionRecord = z
  .object({
    id: z.string(),
    url: z.string().openapi({ description: "Send the customer here; it works once, until expiresAt" }),
    customerId: z.string(),
    returnUrl: z.string().nullable(),
    expiresAt: EpochMs,
    livemode: z.boolean(),
    createdAt: EpochMs,
  })
  .openapi("BillingPortalSession");

export const BillingPortalSessionResponse = z
  .object({ billingPortalSession: BillingPortalSessionRecord })
  .openapi("BillingPortalSessionResponse");
