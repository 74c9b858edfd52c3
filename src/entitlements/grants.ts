import { and, sql } from "drizzle-orm";
import { type FeatureRow, getPrice, listFeaturesByIds, listProductFeatureGrants } from "../catalog/index.js";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import type { FeatureType, RenewalFrequency } from "../db/schema/index.js";
import { subscriptionItemFeatures } from "../db/schema/index.js";
import { param, sameTenant, statement, tenant } from "../db/statement.js";
import { panic } from "../lib/errors.js";
import { ID_PREFIXES } from "../lib/ids.js";
import { multiplyAmount } from "../lib/money.js";
import { listItemsForSubscriptions, type SubscriptionItemRow } from "../subscriptions/index.js";

export type SubscriptionItemFeatureRow = typeof subscriptionItemFeatures.$inferSelect;

// Read with every grant list (the billing view, balances, renewals): built once.
const storedGrantsOfSubscriptions = statement("subscription_item_features_of_subscriptions", (db) =>
  db
    .select()
    .from(subscriptionItemFeatures)
    .where(
      and(
        sql`${subscriptionItemFeatures.subscriptionId} = any(${param("subscriptionIds")})`,
        sameTenant(subscriptionItemFeatures),
      ),
    )
    .orderBy(subscriptionItemFeatures.position),
);

/**
 * A feature a subscription item holds. Most follow from the item's product (a product feature's grant,
 * derived on read under a stable id); the rest are rows: grants made by hand (`manuallyCreated`) and a
 * merchant's changes to a derived grant (stored under the derived grant's id).
 */
export type FeatureGrant = {
  id: string;
  organizationId: string;
  livemode: boolean;
  pricingModelId: string;
  subscriptionId: string;
  subscriptionItemId: string;
  featureId: string;
  productFeatureId: string | null;
  type: FeatureType;
  name: string;
  slug: string;
  /** Credits (usage_credit_grant) or capacity (resource) the grant gives: the feature's amount × the item's quantity, or the stored override. */
  amount: number | null;
  renewalFrequency: RenewalFrequency | null;
  usageMeterId: string | null;
  resourceId: string | null;
  manuallyCreated: boolean;
  /** In force from here (the item's start or the attachment, whichever is later) … */
  grantedAt: Date;
  /** … until here (the item's, the attachment's or the grant's own end, whichever is first). */
  endsAt: Date | null;
  /** The grant's own expiry, as set through the API (what the wire's `expiredAt` shows). */
  expiredAt: Date | null;
  detachedAt: Date | null;
  detachedReason: string | null;
  createdAt: Date;
  updatedAt: Date;
};

export function grantInForce(grant: FeatureGrant, at: Date): boolean {
  return (
    grant.grantedAt.getTime() <= at.getTime() &&
    (grant.endsAt === null || grant.endsAt.getTime() > at.getTime())
  );
}

const GRANT_PREFIX = `${ID_PREFIXES.subscriptionItemFeature}_`;
const ITEM_PREFIX = `${ID_PREFIXES.subscriptionItem}_`;
const PRODUCT_FEATURE_PREFIX = `${ID_PREFIXES.productFeature}_`;
const TOKEN = /^[0-9A-Za-z]+$/;
const DERIVED = new RegExp(`^${GRANT_PREFIX}([0-9A-Za-z]+)_([0-9A-Za-z]+)$`);

function tokenOf(id: string, prefix: string): string {
  const token = id.slice(prefix.length);
  if (!id.startsWith(prefix) || !TOKEN.test(token)) panic(`${id} is not an id minted with ${prefix}`);
  return token;
}

/**
 * THE id of the grant a product feature gives a subscription item: both ids' random parts, so the same pair
 * always names the same grant, and a read by id (`parseDerivedGrantId`) finds its item without a scan.
 * A grant made by hand has a plain `sub_feature_<token>` id, which never has the second part.
 */
export function derivedGrantId(subscriptionItemId: string, productFeatureId: string): string {
  return `${GRANT_PREFIX}${tokenOf(subscriptionItemId, ITEM_PREFIX)}_${tokenOf(productFeatureId, PRODUCT_FEATURE_PREFIX)}`;
}

/** The item and the product feature a derived grant's id names; undefined for any other id. */
export function parseDerivedGrantId(
  id: string,
): { subscriptionItemId: string; productFeatureId: string } | undefined {
  const match = DERIVED.exec(id);
  if (!match) return undefined;
  return {
    subscriptionItemId: `${ITEM_PREFIX}${match[1]}`,
    productFeatureId: `${PRODUCT_FEATURE_PREFIX}${match[2]}`,
  };
}

const earliest = (...dates: (Date | null)[]): Date | null =>
  dates.reduce<Date | null>((min, d) => (d === null ? min : min === null || d < min ? d : min), null);
const latest = (a: Date, b: Date): Date => (a > b ? a : b);

function fromFeature(feature: FeatureRow, quantity: number) {
  return {
    featureId: feature.id,
    type: feature.type,
    name: feature.name,
    slug: feature.slug,
    amount: feature.amount === null ? null : multiplyAmount(feature.amount, quantity),
    renewalFrequency: feature.renewalFrequency,
    usageMeterId: feature.usageMeterId,
    resourceId: feature.resourceId,
  };
}

/**
 * Every grant, past, present and scheduled, of these subscriptions' items (filter with `grantInForce`). Derived
 * grants exist only where the attachment and the item overlapped; a stored row with a derived grant's id
 * changes that grant (its amount, its end).
 */
export async function listFeatureGrants(
  db: Executor,
  merchant: Merchant,
  subscriptionIds: string[],
): Promise<FeatureGrant[]> {
  if (subscriptionIds.length === 0) return [];
  const [items, rows] = await Promise.all([
    listItemsForSubscriptions(db, merchant, subscriptionIds),
    storedGrantsOfSubscriptions(db, { ...tenant(merchant), subscriptionIds }),
  ]);
  const productOfPrice = new Map<string, string | null>();
  for (const priceId of new Set(items.map((i) => i.priceId))) {
    productOfPrice.set(priceId, (await getPrice(db, merchant, priceId))?.productId ?? null);
  }
  const productIds = [...new Set([...productOfPrice.values()].filter((p): p is string => p !== null))];
  const attachments = await listProductFeatureGrants(db, merchant, productIds);
  const stored = new Map(rows.map((row) => [row.id, row]));
  const itemsById = new Map(items.map((i) => [i.id, i]));

  const grants: FeatureGrant[] = [];
  for (const item of items) {
    const productId = productOfPrice.get(item.priceId);
    for (const { productFeature, feature } of attachments) {
      if (productFeature.productId !== productId) continue;
      const grantedAt = latest(item.addedDate, productFeature.createdAt);
      const naturalEnd = earliest(item.expiredAt, productFeature.expiredAt);
      if (naturalEnd !== null && naturalEnd <= grantedAt) continue;
      const id = derivedGrantId(item.id, productFeature.id);
      const override = stored.get(id);
      stored.delete(id);
      grants.push({
        id,
        organizationId: item.organizationId,
        livemode: item.livemode,
        pricingModelId: productFeature.pricingModelId,
        subscriptionId: item.subscriptionId,
        subscriptionItemId: item.id,
        productFeatureId: productFeature.id,
        ...fromFeature(feature, item.quantity),
        ...(override && override.amount !== null ? { amount: override.amount } : {}),
        manuallyCreated: false,
        grantedAt,
        endsAt: earliest(naturalEnd, override?.expiredAt ?? null),
        expiredAt: override?.expiredAt ?? null,
        detachedAt: override?.detachedAt ?? productFeature.expiredAt,
        detachedReason:
          override?.detachedReason ?? (productFeature.expiredAt ? "product_feature_expired" : null),
        // The grant began when it came into force; a stored change does not move that.
        createdAt: grantedAt,
        updatedAt: override?.updatedAt ?? grantedAt,
      });
    }
  }
  // What is left is grants made by hand (an override whose attachment is gone is left out with it).
  const manual = [...stored.values()].filter((row) => row.manuallyCreated);
  const manualFeatures = new Map(
    (await listFeaturesByIds(db, merchant, [...new Set(manual.map((r) => r.featureId))])).map((f) => [
      f.id,
      f,
    ]),
  );
  for (const row of manual) {
    const item: SubscriptionItemRow | undefined = itemsById.get(row.subscriptionItemId);
    const feature = manualFeatures.get(row.featureId);
    if (!item || !feature) continue;
    grants.push({
      id: row.id,
      organizationId: row.organizationId,
      livemode: row.livemode,
      pricingModelId: row.pricingModelId,
      subscriptionId: row.subscriptionId,
      subscriptionItemId: row.subscriptionItemId,
      productFeatureId: row.productFeatureId,
      ...fromFeature(feature, 1),
      ...(row.amount !== null ? { amount: row.amount } : {}),
      manuallyCreated: true,
      grantedAt: latest(row.createdAt, item.addedDate),
      endsAt: earliest(row.expiredAt, item.expiredAt),
      expiredAt: row.expiredAt,
      detachedAt: row.detachedAt,
      detachedReason: row.detachedReason,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    });
  }
  return grants;
}
