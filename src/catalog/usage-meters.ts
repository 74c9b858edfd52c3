import { and, eq } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { type AggregationType, type PriceType, usageMeters } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { badRequest, notFound, panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { insertPrice } from "./create-price.js";
import { getUsageMeter, type UsageMeterRow } from "./entitlement-queries.js";
import { requirePricingModel } from "./queries.js";
import type { PriceRow } from "./serialize.js";
import { usageMeterSlugTaken } from "./unique-violation.js";

export type CreateUsageMeterInput = {
  name: string;
  pricingModelId: string;
  slug: string;
  aggregationType?: AggregationType | undefined;
};

/** What `POST /usage-meters` may say about the meter's price; the rest of its terms are fixed here. */
export type UsageMeterPriceInput = {
  type?: PriceType | undefined;
  unitPrice?: number | undefined;
  usageEventsPerUnit?: number | undefined;
};

export type UpdateUsageMeterInput = {
  id?: string | undefined;
  name?: string | undefined;
  slug?: string | undefined;
  aggregationType?: AggregationType | undefined;
};

export async function requireUsageMeter(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<UsageMeterRow> {
  const row = await getUsageMeter(db, merchant, id);
  if (!row) throw notFound("Usage meter", id);
  return row;
}

/**
 * A meter, and with `price` its first usage price: named and slugged like the meter, monthly, the meter's
 * default, in the organization's default currency (unit price 0 and one event per unit unless given).
 */
export async function createUsageMeter(
  tx: Executor,
  merchant: Merchant,
  input: CreateUsageMeterInput,
  priceInput: UsageMeterPriceInput | undefined,
  now: Date,
): Promise<{ usageMeter: UsageMeterRow; price: PriceRow | undefined }> {
  if (priceInput?.type !== undefined && priceInput.type !== "usage") {
    throw badRequest("A usage meter's price is a usage price", [
      { path: ["price", "type"], message: "must be usage" },
    ]);
  }
  const pricingModel = await requirePricingModel(tx, merchant, input.pricingModelId);
  const [usageMeter] = await tx
    .insert(usageMeters)
    .values({
      id: newId("usageMeter"),
      organizationId: merchant.organizationId,
      livemode: merchant.livemode,
      pricingModelId: pricingModel.id,
      name: input.name,
      slug: input.slug,
      aggregationType: input.aggregationType ?? "sum",
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .catch(usageMeterSlugTaken(input.slug));
  if (!usageMeter) panic("usage meter insert returned nothing");
  if (!priceInput) return { usageMeter, price: undefined };
  const price = await insertPrice(
    tx,
    merchant,
    null,
    pricingModel.id,
    {
      type: "usage",
      unitPrice: priceInput.unitPrice ?? 0,
      usageEventsPerUnit: priceInput.usageEventsPerUnit ?? 1,
      usageMeterId: usageMeter.id,
      intervalUnit: "month",
      intervalCount: 1,
      name: usageMeter.name,
      slug: usageMeter.slug,
    },
    true,
    now,
  );
  return { usageMeter, price };
}

/**
 * Name and slug may change. The aggregation may not: totals already recorded were aggregated the old way, and
 * a renewal would bill them as if they were the new one. Resending the current value is fine.
 */
export async function updateUsageMeter(
  tx: Executor,
  merchant: Merchant,
  id: string,
  input: UpdateUsageMeterInput,
  now: Date,
): Promise<UsageMeterRow> {
  if (input.id !== undefined && input.id !== id) throw badRequest("usageMeter.id does not match the URL");
  const current = await requireUsageMeter(tx, merchant, id);
  if (input.aggregationType !== undefined && input.aggregationType !== current.aggregationType) {
    throw badRequest(
      "aggregationType cannot change after a usage meter is created: its recorded usage was aggregated as " +
        `${current.aggregationType}; create a new meter instead`,
      [{ path: ["usageMeter", "aggregationType"], message: "cannot change" }],
    );
  }
  const [row] = await tx
    .update(usageMeters)
    .set({
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.slug !== undefined ? { slug: input.slug } : {}),
      updatedAt: now,
    })
    .where(and(eq(usageMeters.id, id), ownedBy(usageMeters, merchant)))
    .returning()
    .catch(usageMeterSlugTaken(input.slug));
  if (!row) panic("usage meter update returned nothing");
  return row;
}
