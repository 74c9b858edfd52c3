import { and, eq } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { type FeatureType, features, type RenewalFrequency } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { badRequest, type ErrorIssue, notFound, panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { type FeatureRow, getFeature, getResource, getUsageMeter } from "./entitlement-queries.js";
import { requirePricingModel } from "./queries.js";
import { featureSlugTaken } from "./unique-violation.js";

export type CreateFeatureInput = {
  type: FeatureType;
  name: string;
  slug: string;
  description?: string | undefined;
  pricingModelId: string;
  amount?: number | null | undefined;
  renewalFrequency?: RenewalFrequency | null | undefined;
  usageMeterId?: string | null | undefined;
  resourceId?: string | null | undefined;
  active?: boolean | undefined;
};

export type UpdateFeatureInput = Partial<CreateFeatureInput> & { id?: string | undefined };

/** What makes a feature what it is; fixed once it exists (grants and credits were made from them). */
type FeatureTerms = Pick<FeatureRow, "type" | "amount" | "renewalFrequency" | "usageMeterId" | "resourceId">;

const present = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;

function invalid(issues: ErrorIssue[]): never {
  const first = issues[0];
  if (!first) panic("invalid() without issues");
  throw badRequest(`Invalid feature: ${first.path.join(".")}: ${first.message}`, issues);
}

/** The rules between a type and its fields; shapes were checked by zod. */
export function featureTerms(input: CreateFeatureInput): FeatureTerms {
  const issues: ErrorIssue[] = [];
  const forbid = (field: keyof CreateFeatureInput, why: string) => {
    if (present(input[field])) issues.push({ path: ["feature", field], message: why });
  };
  const need = (field: keyof CreateFeatureInput, why: string) => {
    if (!present(input[field])) issues.push({ path: ["feature", field], message: why });
  };
  if (input.type === "toggle") {
    for (const field of ["amount", "renewalFrequency", "usageMeterId", "resourceId"] as const) {
      forbid(field, "toggle features have no amount, renewal frequency, usage meter or resource");
    }
  } else if (input.type === "usage_credit_grant") {
    need("amount", "usage_credit_grant features need an amount of credits");
    need("renewalFrequency", "usage_credit_grant features need a renewalFrequency");
    need("usageMeterId", "usage_credit_grant features need the usage meter they credit");
    forbid("resourceId", "only resource features have a resource");
  } else {
    need("amount", "resource features need an amount (capacity per unit)");
    need("resourceId", "resource features need a resource");
    forbid("renewalFrequency", "only usage_credit_grant features renew");
    forbid("usageMeterId", "only usage_credit_grant features have a usage meter");
  }
  if (issues.length > 0) invalid(issues);
  return {
    type: input.type,
    amount: input.amount ?? null,
    renewalFrequency: input.renewalFrequency ?? null,
    usageMeterId: input.usageMeterId ?? null,
    resourceId: input.resourceId ?? null,
  };
}

/** The meter or resource a feature names must exist for this merchant, in the feature's pricing model. */
async function checkReferences(
  tx: Executor,
  merchant: Merchant,
  terms: FeatureTerms,
  pricingModelId: string,
): Promise<void> {
  if (terms.usageMeterId !== null) {
    const meter = await getUsageMeter(tx, merchant, terms.usageMeterId);
    if (!meter) throw notFound("Usage meter", terms.usageMeterId);
    if (meter.pricingModelId !== pricingModelId) {
      invalid([
        { path: ["feature", "usageMeterId"], message: "must be a meter of the feature's pricing model" },
      ]);
    }
  }
  if (terms.resourceId !== null) {
    const resource = await getResource(tx, merchant, terms.resourceId);
    if (!resource) throw notFound("Resource", terms.resourceId);
    if (resource.pricingModelId !== pricingModelId) {
      invalid([
        { path: ["feature", "resourceId"], message: "must be a resource of the feature's pricing model" },
      ]);
    }
  }
}

export async function requireFeature(db: Executor, merchant: Merchant, id: string): Promise<FeatureRow> {
  const row = await getFeature(db, merchant, id);
  if (!row) throw notFound("Feature", id);
  return row;
}

export async function createFeature(
  tx: Executor,
  merchant: Merchant,
  input: CreateFeatureInput,
  now: Date,
): Promise<FeatureRow> {
  const terms = featureTerms(input);
  const pricingModel = await requirePricingModel(tx, merchant, input.pricingModelId);
  await checkReferences(tx, merchant, terms, pricingModel.id);
  const [row] = await tx
    .insert(features)
    .values({
      id: newId("feature"),
      organizationId: merchant.organizationId,
      livemode: merchant.livemode,
      pricingModelId: pricingModel.id,
      ...terms,
      name: input.name,
      slug: input.slug,
      description: input.description ?? "",
      active: input.active ?? true,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .catch(featureSlugTaken(input.slug));
  if (!row) panic("feature insert returned nothing");
  return row;
}

const FROZEN = ["type", "pricingModelId", "renewalFrequency", "usageMeterId", "resourceId"] as const;

/**
 * Name, slug, description, active and amount may change (a new amount applies to every grant derived from
 * the feature from now on). What the feature is, and what it credits or grants, may not: resending the
 * current value is fine, a change is refused.
 */
export async function updateFeature(
  tx: Executor,
  merchant: Merchant,
  id: string,
  input: UpdateFeatureInput,
  now: Date,
): Promise<FeatureRow> {
  if (input.id !== undefined && input.id !== id) throw badRequest("feature.id does not match the URL");
  const current = await requireFeature(tx, merchant, id);
  const issues: ErrorIssue[] = [];
  for (const field of FROZEN) {
    const requested = input[field];
    if (requested !== undefined && requested !== current[field]) {
      issues.push({ path: ["feature", field], message: `${field} cannot change after a feature is created` });
    }
  }
  if (input.amount !== undefined && (input.amount === null) !== (current.type === "toggle")) {
    issues.push({
      path: ["feature", "amount"],
      message:
        current.type === "toggle"
          ? "toggle features have no amount"
          : `${current.type} features need an amount`,
    });
  }
  if (issues.length > 0) invalid(issues);
  const [row] = await tx
    .update(features)
    .set({
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.slug !== undefined ? { slug: input.slug } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.active !== undefined ? { active: input.active } : {}),
      ...(input.amount !== undefined ? { amount: input.amount } : {}),
      updatedAt: now,
    })
    .where(and(eq(features.id, id), ownedBy(features, merchant)))
    .returning()
    .catch(featureSlugTaken(input.slug));
  if (!row) panic("feature update returned nothing");
  return row;
}
