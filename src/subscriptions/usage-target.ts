import { type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { billingPeriods, subscriptions } from "../db/schema/index.js";
import { param, sameTenant } from "../db/statement.js";
import { CURRENT_STATUSES } from "./serialize.js";

const currentStatuses = sql.raw([...CURRENT_STATUSES].map((status) => `'${status}'`).join(", "));

/**
 * The subscription a usage event names, as the usage domain's ingest statement reads it (SQL that the
 * subscriptions domain writes into another domain's statement): a subquery with `id`, `customer_id`,
 * `pricing_model_id`, `status`, `current` (whether usage may be recorded for it: a current subscription) and
 * `billing_period_id`, its current billing period (the period whose start is the subscription's
 * `current_billing_period_start`; null when it has none). Yields a row only when the subscription is the
 * tenant's (placeholders `organizationId`/`livemode` unless given). Both rows are found by their keys.
 */
export function usageSubscriptionSql(
  subscriptionId: SQLWrapper,
  organizationId: SQLWrapper = param("organizationId"),
  livemode: SQLWrapper = param("livemode"),
): SQL {
  return sql`select ${subscriptions.id} as id, ${subscriptions.customerId} as customer_id,
      ${subscriptions.pricingModelId} as pricing_model_id, ${subscriptions.status} as status,
      ${subscriptions.status} in (${currentStatuses}) as current, ${billingPeriods.id} as billing_period_id
    from ${subscriptions} left join ${billingPeriods}
      on ${billingPeriods.subscriptionId} = ${subscriptions.id}
      and ${billingPeriods.startDate} = ${subscriptions.currentBillingPeriodStart}
      and ${sameTenant(billingPeriods, subscriptions.organizationId, subscriptions.livemode)}
    where ${subscriptions.id} = ${subscriptionId} and ${sameTenant(subscriptions, organizationId, livemode)}`;
}
