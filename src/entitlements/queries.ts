import { and, eq } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { subscriptionItemFeatures } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { notFound } from "../lib/errors.js";
import { getSubscriptionItem } from "../subscriptions/index.js";
import {
  type FeatureGrant,
  listFeatureGrants,
  parseDerivedGrantId,
  type SubscriptionItemFeatureRow,
} from "./grants.js";

export async function getStoredGrant(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<SubscriptionItemFeatureRow | undefined> {
  const [row] = await db
    .select()
    .from(subscriptionItemFeatures)
    .where(and(ownedBy(subscriptionItemFeatures, merchant), eq(subscriptionItemFeatures.id, id)));
  return row;
}

/**
 * A grant by id, past, present or scheduled, derived or stored: its subscription is found from the id (a
 * derived id names its item) or the stored row, and the grant among that subscription's.
 */
export async function findFeatureGrant(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<FeatureGrant | undefined> {
  const derived = parseDerivedGrantId(id);
  const subscriptionId = derived
    ? (await getSubscriptionItem(db, merchant, derived.subscriptionItemId))?.subscriptionId
    : (await getStoredGrant(db, merchant, id))?.subscriptionId;
  if (subscriptionId === undefined) return undefined;
  return (await listFeatureGrants(db, merchant, [subscriptionId])).find((grant) => grant.id === id);
}

export async function requireFeatureGrant(db: Executor, merchant: Merchant, id: string) {
  const grant = await findFeatureGrant(db, merchant, id);
  if (!grant) throw notFound("Subscription item feature", id);
  return grant;
}
