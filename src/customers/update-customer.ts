import { and, eq } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { type BillingAddress, customers } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { panic } from "../lib/errors.js";
import { emitEvent } from "../webhooks/index.js";
import { requireCustomerByExternalId } from "./queries.js";
import { type CustomerRow, serializeCustomer } from "./serialize.js";

export type UpdateCustomerInput = {
  email?: string | undefined;
  name?: string | undefined;
  archived?: boolean | undefined;
  domain?: string | null | undefined;
  iconURL?: string | null | undefined;
  logoURL?: string | null | undefined;
  userId?: string | null | undefined;
  billingAddress?: BillingAddress | null | undefined;
};

async function writeCustomer(
  tx: Executor,
  merchant: Merchant,
  current: CustomerRow,
  changes: Partial<typeof customers.$inferInsert>,
  now: Date,
): Promise<CustomerRow> {
  const [row] = await tx
    .update(customers)
    .set({ ...changes, updatedAt: now })
    .where(and(eq(customers.id, current.id), ownedBy(customers, merchant)))
    .returning();
  if (!row) panic("customer update returned nothing");
  await emitEvent(
    tx,
    {
      organizationId: merchant.organizationId,
      livemode: merchant.livemode,
      type: "customer.updated",
      objectType: "customer",
      objectId: row.id,
      object: serializeCustomer(row),
    },
    now,
  );
  return row;
}

/** The externalId and pricing model are fixed; everything else may change. Emits `customer.updated`. */
export async function updateCustomer(
  tx: Executor,
  merchant: Merchant,
  externalId: string,
  input: UpdateCustomerInput,
  now: Date,
): Promise<CustomerRow> {
  const current = await requireCustomerByExternalId(tx, merchant, externalId, { forUpdate: true });
  return writeCustomer(
    tx,
    merchant,
    current,
    {
      ...(input.email !== undefined ? { email: input.email } : {}),
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.archived !== undefined ? { archived: input.archived } : {}),
      ...(input.domain !== undefined ? { domain: input.domain } : {}),
      ...(input.iconURL !== undefined ? { iconUrl: input.iconURL } : {}),
      ...(input.logoURL !== undefined ? { logoUrl: input.logoURL } : {}),
      ...(input.userId !== undefined ? { userId: input.userId } : {}),
      ...(input.billingAddress !== undefined ? { billingAddress: input.billingAddress } : {}),
    },
    now,
  );
}

/** Archiving twice is a no-op: no second `customer.updated` event. */
export async function archiveCustomer(
  tx: Executor,
  merchant: Merchant,
  externalId: string,
  now: Date,
): Promise<CustomerRow> {
  const current = await requireCustomerByExternalId(tx, merchant, externalId, { forUpdate: true });
  if (current.archived) return current;
  return writeCustomer(tx, merchant, current, { archived: true }, now);
}
