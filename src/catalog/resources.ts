import { and, asc, eq } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { resources } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { badRequest, notFound, panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { getResource, type ResourceRow } from "./entitlement-queries.js";
import { findDefaultPricingModel, requirePricingModel } from "./queries.js";
import { resourceSlugTaken } from "./unique-violation.js";

export type CreateResourceInput = {
  name: string;
  pricingModelId: string;
  slug: string;
  active?: boolean | undefined;
};

export type UpdateResourceInput = {
  id?: string | undefined;
  name?: string | undefined;
  slug?: string | undefined;
  active?: boolean | undefined;
};

export async function requireResource(db: Executor, merchant: Merchant, id: string): Promise<ResourceRow> {
  const row = await getResource(db, merchant, id);
  if (!row) throw notFound("Resource", id);
  return row;
}

export async function createResource(
  tx: Executor,
  merchant: Merchant,
  input: CreateResourceInput,
  now: Date,
): Promise<ResourceRow> {
  const pricingModel = await requirePricingModel(tx, merchant, input.pricingModelId);
  const [row] = await tx
    .insert(resources)
    .values({
      id: newId("resource"),
      organizationId: merchant.organizationId,
      livemode: merchant.livemode,
      pricingModelId: pricingModel.id,
      name: input.name,
      slug: input.slug,
      active: input.active ?? true,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .catch(resourceSlugTaken(input.slug));
  if (!row) panic("resource insert returned nothing");
  return row;
}

export async function updateResource(
  tx: Executor,
  merchant: Merchant,
  id: string,
  input: UpdateResourceInput,
  now: Date,
): Promise<ResourceRow> {
  if (input.id !== undefined && input.id !== id) throw badRequest("resource.id does not match the URL");
  await requireResource(tx, merchant, id);
  const [row] = await tx
    .update(resources)
    .set({
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.slug !== undefined ? { slug: input.slug } : {}),
      ...(input.active !== undefined ? { active: input.active } : {}),
      updatedAt: now,
    })
    .where(and(eq(resources.id, id), ownedBy(resources, merchant)))
    .returning()
    .catch(resourceSlugTaken(input.slug));
  if (!row) panic("resource update returned nothing");
  return row;
}

/**
 * Every resource of a pricing model (inactive ones too), oldest first. Without a pricing model, the default
 * one's (none while the merchant has no default pricing model yet).
 */
export async function listResourcesOfPricingModel(
  db: Executor,
  merchant: Merchant,
  pricingModelId: string | undefined,
): Promise<ResourceRow[]> {
  const pricingModel = pricingModelId
    ? await requirePricingModel(db, merchant, pricingModelId)
    : await findDefaultPricingModel(db, merchant);
  if (!pricingModel) return [];
  return db
    .select()
    .from(resources)
    .where(and(ownedBy(resources, merchant), eq(resources.pricingModelId, pricingModel.id)))
    .orderBy(asc(resources.position));
}
