import { z } from "@hono/zod-openapi";
import { NoTaxFields } from "../lib/tax.js";
import { EpochMs } from "../lib/wire.js";

export const InvoiceRecord = z
  .object({
    id: z.string(),
    invoiceNumber: z.string(),
    status: z.enum(["draft", "open", "paid", "void", "uncollectible", "refunded", "partially_refunded"]),
    type: z.enum(["purchase", "subscription", "standalone"]),
    customerId: z.string(),
    purchaseId: z.string().nullable(),
    subscriptionId: z.string().nullable(),
    billingPeriodId: z.string().nullable(),
    billingRunId: z.null(),
    currency: z.string(),
    subtotal: z.number().int(),
    total: z.number().int(),
    amountPaid: z.number().int(),
    discountAmount: z
      .number()
      .int()
      .openapi({ description: "What a discount took off: total = subtotal − discountAmount" }),
    memo: z.string().nullable(),
    pdfURL: z.string().nullable().optional().openapi({
      description:
        "The invoice as a PDF; the address itself grants access. Left out of webhook event payloads",
    }),
    receiptPdfURL: z.string().nullable().optional().openapi({
      description:
        "The receipt as a PDF once the invoice is paid, else null. Left out of webhook event payloads",
    }),
    applicationFee: z.null(),
    bankPaymentOnly: z.boolean(),
    ownerMembershipId: z.null(),
    ...NoTaxFields,
    invoiceDate: EpochMs,
    dueDate: EpochMs.nullable(),
    paidAt: EpochMs.nullable(),
    livemode: z.boolean(),
    organizationId: z.string(),
    pricingModelId: z.string(),
    createdAt: EpochMs,
    updatedAt: EpochMs,
  })
  .openapi("Invoice");
export type InvoiceRecord = z.infer<typeof InvoiceRecord>;

export const InvoiceLineItemRecord = z
  .object({
    id: z.string(),
    invoiceId: z.string(),
    pricingModelId: z.string(),
    priceId: z.string().nullable(),
    description: z.string(),
    quantity: z.number().int(),
    price: z.number().int().openapi({ description: "Unit price in minor units" }),
    amount: z.number().int().openapi({ description: "quantity × price" }),
    type: z.enum(["static", "usage"]),
    usageMeterId: z.string().nullable(),
    billingRunId: z
      .string()
      .nullable()
      .openapi({ description: "Usage lines: the billing period whose usage the line bills" }),
    ledgerAccountId: z
      .string()
      .nullable()
      .openapi({ description: "Usage lines: the meter whose usage (after credits) the line bills" }),
    ledgerAccountCredit: z.number().int().nullable().openapi({
      description: "Usage lines: meter units covered by credits before the quantity was counted",
    }),
    livemode: z.boolean(),
    createdAt: EpochMs,
    updatedAt: EpochMs,
  })
  .openapi("InvoiceLineItem");
export type InvoiceLineItemRecord = z.infer<typeof InvoiceLineItemRecord>;

export const InvoiceWithLineItems = z
  .object({ invoice: InvoiceRecord, invoiceLineItems: z.array(InvoiceLineItemRecord) })
  .openapi("InvoiceWithLineItems");
export type InvoiceWithLineItems = z.infer<typeof InvoiceWithLineItems>;
