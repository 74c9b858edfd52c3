import { z } from "@hono/zod-openapi";
import { EpochMs, MetadataSchema } from "../lib/wire.js";
import { SubscriptionItemFeatureRecord } from "../subscriptions/index.js";

const ObjectId = z.string().min(1).max(200);
/** Latest date we accept anywhere: year 9999. */
const MAX_EPOCH_MS = 253_402_300_799_999;
const GrantAmount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Claims one call may make or release: each is a row written in the call's transaction. */
export const MAX_CLAIMS_PER_CALL = 1000;

export const IdParams = z.object({ id: ObjectId });
export const SubscriptionIdParams = z.object({ subscriptionId: ObjectId });

/* ---- subscription item features (grants) ---- */

export const SubscriptionItemFeatureEnvelope = z.object({
  subscriptionItemFeature: SubscriptionItemFeatureRecord,
});

export const CreateSubscriptionItemFeatureBody = z
  .object({
    subscriptionItemFeature: z.object({
      subscriptionItemId: ObjectId,
      featureId: ObjectId,
      amount: GrantAmount.nullable().optional().openapi({
        description:
          "Credits (usage_credit_grant) or capacity (resource) granted; defaults to the feature's amount. Not for toggles.",
      }),
    }),
  })
  .openapi("CreateSubscriptionItemFeatureInput");

export const UpdateSubscriptionItemFeatureBody = z
  .object({
    subscriptionItemFeature: z.object({
      id: ObjectId,
      amount: GrantAmount.optional(),
      expiredAt: z.number().int().min(0).max(MAX_EPOCH_MS).nullable().optional().openapi({
        description: "Epoch ms at which the grant ends; null takes an expiry back",
      }),
    }),
  })
  .openapi("UpdateSubscriptionItemFeatureInput");
export type UpdateGrantInput = z.infer<typeof UpdateSubscriptionItemFeatureBody>["subscriptionItemFeature"];

/* ---- resource claims ---- */

export const ResourceClaimRecord = z
  .object({
    id: z.string(),
    organizationId: z.string(),
    livemode: z.boolean(),
    pricingModelId: z.string(),
    subscriptionId: z.string(),
    subscriptionItemFeatureId: z.string(),
    resourceId: z.string(),
    externalId: z.string().nullable(),
    metadata: MetadataSchema.nullable(),
    claimedAt: EpochMs,
    releasedAt: EpochMs.nullable(),
    releaseReason: z.string().nullable(),
    createdAt: EpochMs,
    updatedAt: EpochMs,
  })
  .openapi("ResourceClaim");
export type ResourceClaimRecord = z.infer<typeof ResourceClaimRecord>;

export const ResourceUsageRecord = z
  .object({
    resourceId: z.string(),
    resourceSlug: z.string(),
    capacity: z.number().int().openapi({ description: "Sum of the resource grants in force now" }),
    claimed: z.number().int().openapi({ description: "Active claims" }),
    available: z.number().int().openapi({ description: "capacity − claimed" }),
  })
  .openapi("ResourceUsage");
export type ResourceUsageRecord = z.infer<typeof ResourceUsageRecord>;

export const ResourceUsageWithClaims = z
  .object({ claims: z.array(ResourceClaimRecord), usage: ResourceUsageRecord })
  .openapi("ResourceUsageWithClaims");
export type ResourceUsageWithClaims = z.infer<typeof ResourceUsageWithClaims>;

export const ReleaseResourceResponse = z
  .object({ releasedClaims: z.array(ResourceClaimRecord), usage: ResourceUsageRecord })
  .openapi("ReleaseResourceResponse");

export const ResourceClaimList = z
  .object({ claims: z.array(ResourceClaimRecord) })
  .openapi("ResourceClaimList");

const Slug = z.string().min(1).max(255);
const ExternalId = z.string().min(1).max(255);
const ExternalIds = z.array(ExternalId).min(1).max(MAX_CLAIMS_PER_CALL);
const Quantity = z.number().int().min(1).max(MAX_CLAIMS_PER_CALL);

function exactlyOne<T extends Record<string, unknown>>(modes: (keyof T & string)[]) {
  return (body: T, ctx: z.RefinementCtx) => {
    const given = modes.filter((m) => body[m] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: [given[1] ?? modes[0] ?? ""],
        message: `Provide exactly one of ${modes.join(", ")}`,
      });
    }
  };
}

export const ClaimResourceBody = z
  .object({
    resourceSlug: Slug,
    quantity: Quantity.optional().openapi({ description: "Make this many anonymous claims" }),
    externalId: ExternalId.optional().openapi({ description: "One named claim (idempotent)" }),
    externalIds: ExternalIds.optional().openapi({ description: "Named claims (idempotent per id)" }),
    metadata: MetadataSchema.optional(),
  })
  .superRefine(exactlyOne(["quantity", "externalId", "externalIds"]))
  .openapi("ClaimResourceInput");
export type ClaimResourceBody = z.infer<typeof ClaimResourceBody>;

export const ReleaseResourceBody = z
  .object({
    resourceSlug: Slug,
    quantity: Quantity.optional().openapi({
      description: "Release this many anonymous claims, oldest first",
    }),
    externalId: ExternalId.optional(),
    externalIds: ExternalIds.optional(),
    claimIds: z.array(ObjectId).min(1).max(MAX_CLAIMS_PER_CALL).optional(),
  })
  .superRefine(exactlyOne(["quantity", "externalId", "externalIds", "claimIds"]))
  .openapi("ReleaseResourceInput");
export type ReleaseResourceBody = z.infer<typeof ReleaseResourceBody>;

export const ResourceUsageQuery = z.object({
  resourceSlug: Slug.optional(),
  resourceId: ObjectId.optional(),
});

/** `@flowglad/node` sends arrays comma-joined (qs arrayFormat "comma"). */
const CommaList = z.string().max(20_000).optional();
export const ResourceUsagesQuery = z.object({
  resourceSlugs: CommaList.openapi({ description: "Comma-separated resource slugs" }),
  resourceIds: CommaList.openapi({ description: "Comma-separated resource ids" }),
});

export const ResourceClaimsQuery = z.object({ resourceSlug: Slug.optional() });
