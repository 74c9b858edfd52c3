import type { PlannedRow } from "../db/planned-rows.js";
import type { customers } from "../db/schema/index.js";
import { toEpochMs } from "../lib/wire.js";

export type CustomerRow = typeof customers.$inferSelect;

export function serializeCustomer(row: PlannedRow<CustomerRow>) {
  return {
    id: row.id,
    externalId: row.externalId,
    email: row.email,
    name: row.name,
    archived: row.archived,
    livemode: row.livemode,
    organizationId: row.organizationId,
    pricingModelId: row.pricingModelId,
    domain: row.domain,
    iconURL: row.iconUrl,
    logoURL: row.logoUrl,
    userId: row.userId,
    invoiceNumberBase: row.invoiceNumberBase,
    ...(row.billingAddress ? { billingAddress: row.billingAddress } : {}),
    createdAt: toEpochMs(row.createdAt),
    updatedAt: toEpochMs(row.updatedAt),
  };
}
export type CustomerRecord = ReturnType<typeof serializeCustomer>;
