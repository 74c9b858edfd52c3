import { type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { queryRows } from "../db/raw.js";
import { type AggregationType, prices, usageMeters } from "../db/schema/index.js";
import { param, sameTenant } from "../db/statement.js";
import { badRequest, notFound } from "../lib/errors.js";
import { getPrice, getPriceBySlug } from "./queries.js";

/** How a usage event names what it counts: exactly one of these four fields. */
export type UsageTargetKind = "priceId" | "priceSlug" | "usageMeterId" | "usageMeterSlug";

/** What a usage event counts toward: its meter (and how it aggregates) and the usage price, if any. */
export type UsageTarget = {
  usageMeterId: string;
  aggregationType: AggregationType;
  priceId: string | null;
};

/**
 * A meter's default usage price: the active one flagged default, else its oldest active one (null when it
 * has none). Found through `prices_usage_meter`, never by walking the merchant's prices.
 */
function meterDefaultPriceSql(): SQL {
  return sql`(select ${prices.id} from ${prices}
      where ${prices.usageMeterId} = ${usageMeters.id} and ${sameTenant(prices, usageMeters.organizationId, usageMeters.livemode)}
        and ${prices.type} = 'usage' and ${prices.active}
      order by ${prices.isDefault} desc, ${prices.position} limit 1)`;
}

function meterTargetSql(where: SQL, organizationId: SQLWrapper, livemode: SQLWrapper): SQL {
  return sql`select ${usageMeters.id} as usage_meter_id, ${usageMeters.aggregationType} as aggregation_type,
      ${meterDefaultPriceSql()} as price_id
    from ${usageMeters} where ${where} and ${sameTenant(usageMeters, organizationId, livemode)}`;
}

function priceTargetSql(where: SQL, organizationId: SQLWrapper, livemode: SQLWrapper): SQL {
  return sql`select ${usageMeters.id} as usage_meter_id, ${usageMeters.aggregationType} as aggregation_type,
      ${prices.id} as price_id
    from ${prices} join ${usageMeters} on ${usageMeters.id} = ${prices.usageMeterId}
      and ${sameTenant(usageMeters, prices.organizationId, prices.livemode)}
    where ${where} and ${sameTenant(prices, organizationId, livemode)} and ${prices.type} = 'usage'`;
}

/**
 * What a usage event names, resolved in the pricing model of its subscription (SQL that the catalog writes
 * into the usage domain's ingest statement): a subquery with `usage_meter_id`, `aggregation_type` and
 * `price_id`, yielding a row only when `key` names, for the tenant (placeholders `organizationId`/`livemode`
 * unless given), a usage price of `pricingModelId` (by id or slug; its meter with it) or a meter of
 * `pricingModelId` (by id or slug; its default usage price with it, or null). Found by keys only. When it
 * yields nothing, `resolveUsageTarget` says why.
 */
export function usageTargetSql(
  kind: UsageTargetKind,
  key: SQLWrapper,
  pricingModelId: SQLWrapper,
  organizationId: SQLWrapper = param("organizationId"),
  livemode: SQLWrapper = param("livemode"),
): SQL {
  switch (kind) {
    case "priceId":
      return priceTargetSql(
        sql`${prices.id} = ${key} and ${prices.pricingModelId} = ${pricingModelId}`,
        organizationId,
        livemode,
      );
    case "priceSlug":
      return priceTargetSql(
        sql`${prices.pricingModelId} = ${pricingModelId} and ${prices.slug} = ${key}`,
        organizationId,
        livemode,
      );
    case "usageMeterId":
      return meterTargetSql(
        sql`${usageMeters.id} = ${key} and ${usageMeters.pricingModelId} = ${pricingModelId}`,
        organizationId,
        livemode,
      );
    case "usageMeterSlug":
      return meterTargetSql(
        sql`${usageMeters.pricingModelId} = ${pricingModelId} and ${usageMeters.slug} = ${key}`,
        organizationId,
        livemode,
      );
  }
}

type TargetRow = { usage_meter_id: string; aggregation_type: AggregationType; price_id: string | null };

async function findUsageMeter(db: Executor, merchant: Merchant, where: SQL) {
  const [row] = await queryRows<{ id: string; pricing_model_id: string }>(
    db,
    sql`select ${usageMeters.id} as id, ${usageMeters.pricingModelId} as pricing_model_id from ${usageMeters}
      where ${where} and ${sameTenant(usageMeters, merchant.organizationId, merchant.livemode)}`,
  );
  return row;
}

/** Why `key` names no usage target in `pricingModelId`: the 4xx for it. */
async function whyNoTarget(
  db: Executor,
  merchant: Merchant,
  kind: UsageTargetKind,
  key: string,
  pricingModelId: string,
): Promise<Error> {
  const field = kind;
  if (kind === "priceId" || kind === "priceSlug") {
    const price =
      kind === "priceId"
        ? await getPrice(db, merchant, key)
        : await getPriceBySlug(db, merchant, pricingModelId, key);
    if (!price) {
      return kind === "priceId"
        ? notFound("Price", key)
        : notFound(`Price with slug "${key}" in pricing model`, pricingModelId);
    }
    if (price.type !== "usage") {
      return badRequest(`Price ${price.id} is a ${price.type} price; usage events need a usage price`, [
        { path: [field], message: "must name a usage price" },
      ]);
    }
    if (price.usageMeterId === null) {
      return badRequest(`Price ${price.id} names no usage meter, so usage cannot be recorded against it`, [
        { path: [field], message: "must name a usage price with a usage meter" },
      ]);
    }
    return badRequest(
      `Price ${price.id} belongs to pricing model ${price.pricingModelId}, not to the subscription's ${pricingModelId}`,
      [{ path: [field], message: "must name a price of the subscription's pricing model" }],
    );
  }
  if (kind === "usageMeterSlug") {
    return notFound(`Usage meter with slug "${key}" in pricing model`, pricingModelId);
  }
  const meter = await findUsageMeter(db, merchant, sql`${usageMeters.id} = ${key}`);
  if (!meter) return notFound("Usage meter", key);
  return badRequest(
    `Usage meter ${meter.id} belongs to pricing model ${meter.pricing_model_id}, not to the subscription's ${pricingModelId}`,
    [{ path: [field], message: "must name a usage meter of the subscription's pricing model" }],
  );
}

/**
 * The usage target `key` names in `pricingModelId` (the subscription's), by the rule of `usageTargetSql`, or
 * the 4xx saying why there is none: not found in this organization and mode (404), not a usage price, or of
 * another pricing model (400).
 */
export async function resolveUsageTarget(
  db: Executor,
  merchant: Merchant,
  kind: UsageTargetKind,
  key: string,
  pricingModelId: string,
): Promise<UsageTarget> {
  const [row] = await queryRows<TargetRow>(
    db,
    usageTargetSql(
      kind,
      sql`${key}`,
      sql`${pricingModelId}`,
      sql`${merchant.organizationId}`,
      sql`${merchant.livemode}`,
    ),
  );
  if (!row) throw await whyNoTarget(db, merchant, kind, key, pricingModelId);
  return { usageMeterId: row.usage_meter_id, aggregationType: row.aggregation_type, priceId: row.price_id };
}
