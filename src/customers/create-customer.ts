import { ensureDefaultPricingModel, getPricingModel } from "../catalog/index.js";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { type PlannedRow, rowWrite } from "../db/planned-rows.js";
import { type BillingAddress, customers } from "../db/schema/index.js";
import { insertStatement } from "../db/statement.js";
import { conflict, notFound, panic } from "../lib/errors.js";
import { newId, randomHex } from "../lib/ids.js";
import { type EmitEventInput, emitEvent, eventAbout, type Planned } from "../webhooks/index.js";
import { withFirstInvoiceNumber } from "./invoice-numbers.js";
import { getCustomerByExternalId } from "./queries.js";
import { type CustomerRow, serializeCustomer } from "./serialize.js";

export type CreateCustomerInput = {
  /** Pre-generated id, for callers that write rows pointing at this one alongside it. */
  id?: string | undefined;
  externalId: string;
  email: string;
  name: string;
  pricingModelId?: string | null | undefined;
  billingAddress?: BillingAddress | null | undefined;
  archived?: boolean | undefined;
  domain?: string | null | undefined;
  iconURL?: string | null | undefined;
  logoURL?: string | null | undefined;
  userId?: string | null | undefined;
};

/** Prefix for this customer's invoice numbers, so numbers from different customers never collide. */
function newInvoiceNumberBase(): string {
  return randomHex(4);
}

type NewCustomer = typeof customers.$inferInsert;
const insertCustomer = insertStatement("insert_customer", (db, values: NewCustomer) =>
  db.insert(customers).values(values).onConflictDoNothing().returning(),
);

/** A new customer's row, its pricing model already checked to be the merchant's. */
function planCustomerRow(
  merchant: Merchant,
  input: CreateCustomerInput & { pricingModelId: string },
  now: Date,
): PlannedRow<CustomerRow> {
  return {
    id: input.id ?? newId("customer"),
    organizationId: merchant.organizationId,
    livemode: merchant.livemode,
    pricingModelId: input.pricingModelId,
    externalId: input.externalId,
    email: input.email,
    name: input.name,
    archived: input.archived ?? false,
    domain: input.domain ?? null,
    iconUrl: input.iconURL ?? null,
    logoUrl: input.logoURL ?? null,
    userId: input.userId ?? null,
    invoiceNumberBase: newInvoiceNumberBase(),
    invoiceCount: 0,
    billingAddress: input.billingAddress ?? null,
    createdAt: now,
    updatedAt: now,
  };
}

/** A new customer planned to be written in a statement composed elsewhere, with `customer.created`. */
export function planCustomer(
  merchant: Merchant,
  input: CreateCustomerInput & { pricingModelId: string },
  now: Date,
): Planned<CustomerRow> {
  return plannedCustomer(planCustomerRow(merchant, input, now));
}

/**
 * A guest customer created together with its first invoice, in one statement that cannot also run the
 * customer's numbering update (a statement does not see its own inserts): the row is written with that
 * number already taken, and the number is handed to the invoice.
 */
export function planCustomerWithFirstInvoice(
  merchant: Merchant,
  input: CreateCustomerInput & { pricingModelId: string },
  now: Date,
): Planned<CustomerRow> & { invoiceNumber: string } {
  const { row, invoiceNumber } = withFirstInvoiceNumber(planCustomerRow(merchant, input, now));
  return { ...plannedCustomer(row), invoiceNumber };
}

function plannedCustomer(row: PlannedRow<CustomerRow>): Planned<CustomerRow> {
  return { row, writes: [rowWrite(customers, row)], events: [customerCreatedEvent(row)] };
}

function customerCreatedEvent(row: PlannedRow<CustomerRow>): EmitEventInput {
  return eventAbout(row, "customer.created", "customer", serializeCustomer(row));
}

/** Emits `customer.created` in the caller's transaction; an externalId already used in this org+mode is a CONFLICT. */
export async function createCustomer(
  tx: Executor,
  merchant: Merchant,
  input: CreateCustomerInput,
  now: Date,
  /** Set by callers whose pricing model id comes from a stored row of this merchant (a checkout session). */
  options: { pricingModelVerified?: boolean } = {},
): Promise<CustomerRow> {
  let pricingModelId: string;
  if (input.pricingModelId && options.pricingModelVerified) {
    pricingModelId = input.pricingModelId;
  } else if (input.pricingModelId) {
    const pricingModel = await getPricingModel(tx, merchant, input.pricingModelId);
    if (!pricingModel) throw notFound("Pricing model", input.pricingModelId);
    pricingModelId = pricingModel.id;
  } else {
    pricingModelId = (await ensureDefaultPricingModel(tx, merchant, now)).id;
  }
  // Conflict-do-nothing instead of a caught error: a failed insert would abort the caller's transaction.
  // Nothing inserted means the externalId is taken, or (rarely) the random invoice number base is.
  for (let attempt = 1; ; attempt++) {
    const [row] = await insertCustomer(tx, planCustomerRow(merchant, { ...input, pricingModelId }, now));
    if (row) {
      await emitEvent(tx, customerCreatedEvent(row), now);
      return row;
    }
    if (await getCustomerByExternalId(tx, merchant, input.externalId)) {
      throw conflict(`A customer with externalId ${input.externalId} already exists`);
    }
    if (attempt === MAX_BASE_DRAWS) panic(`no free invoice number base after ${attempt} draws`);
  }
}

/** A base is 32 random bits: a second draw is already rare for a merchant with millions of customers. */
const MAX_BASE_DRAWS = 5;
