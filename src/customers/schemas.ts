import { z } from "@hono/zod-openapi";
import { EpochMs, listEnvelope } from "../lib/wire.js";

export const ExternalIdParam = z.object({
  externalId: z
    .string()
    .min(1)
    .max(255)
    .openapi({
      param: { name: "externalId", in: "path" },
      description: "Your id for the customer",
      example: "user_123",
    }),
});

const HttpUrl = z.url({ protocol: /^https?$/ }).max(2048);

export const BillingAddressSchema = z
  .object({
    name: z.string().max(255).optional(),
    firstName: z.string().max(255).optional(),
    lastName: z.string().max(255).optional(),
    email: z.string().max(320).optional(),
    phone: z.string().max(64).optional(),
    address: z.object({
      country: z.string().min(2).max(2).openapi({ description: "ISO 3166-1 alpha-2", example: "US" }),
      city: z.string().max(255).optional(),
      line1: z.string().max(255).optional(),
      line2: z.string().max(255).optional(),
      name: z.string().max(255).optional(),
      postal_code: z.string().max(64).optional(),
      state: z.string().max(255).optional(),
    }),
  })
  .openapi("BillingAddress");

const editableFields = {
  email: z.email().max(320),
  name: z.string().max(255),
  archived: z.boolean().optional(),
  domain: z.string().max(255).nullable().optional(),
  iconURL: HttpUrl.nullable().optional(),
  logoURL: HttpUrl.nullable().optional(),
  userId: z.string().max(255).nullable().optional(),
  billingAddress: BillingAddressSchema.nullable().optional(),
};

export const CreateCustomerBody = z
  .object({
    customer: z.object({
      ...editableFields,
      externalId: z.string().min(1).max(255),
      pricingModelId: z
        .string()
        .min(1)
        .max(100)
        .nullable()
        .optional()
        .openapi({ description: "Defaults to the default pricing model" }),
    }),
  })
  .openapi("CreateCustomerBody");

export const UpdateCustomerBody = z
  .object({
    customer: z.object({
      ...editableFields,
      email: editableFields.email.optional(),
      name: editableFields.name.optional(),
    }),
  })
  .openapi("UpdateCustomerBody");

export const CustomerRecordSchema = z
  .object({
    id: z.string(),
    externalId: z.string(),
    email: z.string(),
    name: z.string(),
    archived: z.boolean(),
    livemode: z.boolean(),
    organizationId: z.string(),
    pricingModelId: z.string(),
    domain: z.string().nullable(),
    iconURL: z.string().nullable(),
    logoURL: z.string().nullable(),
    userId: z.string().nullable(),
    invoiceNumberBase: z.string().nullable(),
    billingAddress: BillingAddressSchema.optional(),
    createdAt: EpochMs,
    updatedAt: EpochMs,
  })
  .openapi("Customer");

export const CustomerResponse = z.object({ customer: CustomerRecordSchema });

export const CustomerList = listEnvelope(CustomerRecordSchema, "CustomerList");
