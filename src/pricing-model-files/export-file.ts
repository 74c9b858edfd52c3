import {
  getPricingModelDetails,
  listFeaturesOfPricingModel,
  listResourcesOfPricingModel,
  listUsageMetersOfPricingModels,
  type PriceRecord,
  requirePricingModel,
} from "../catalog/index.js";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { listDiscountsOfPricingModel } from "../discounts/index.js";
import { panic } from "../lib/errors.js";
import type { PricingModelFile } from "./schemas.js";

type FilePrice = PricingModelFile["products"][number]["price"];
type FileUsagePrice = NonNullable<PricingModelFile["usageMeters"][number]["prices"]>[number];

/** A slug for a price or product that has none: its id, which is unique and a valid slug. */
const slugOf = (row: { slug: string | null; id: string }) => row.slug ?? row.id;

function productPrice(price: PriceRecord, meterSlug: Map<string, string>): FilePrice {
  const common = {
    slug: slugOf(price),
    name: price.name,
    unitPrice: price.unitPrice,
    currency: price.currency,
    isDefault: price.isDefault,
    active: price.active,
  };
  if (price.type === "subscription") {
    return {
      type: "subscription",
      ...common,
      intervalUnit: price.intervalUnit ?? panic(`subscription price ${price.id} has no interval`),
      intervalCount: price.intervalCount ?? 1,
      trialPeriodDays: price.trialPeriodDays,
    };
  }
  if (price.type === "single_payment") return { type: "single_payment", ...common };
  return {
    ...usagePrice(price),
    usageMeterSlug:
      meterSlug.get(price.usageMeterId ?? "") ?? panic(`usage price ${price.id} names no meter`),
  };
}

function usagePrice(price: PriceRecord): FileUsagePrice {
  return {
    type: "usage",
    slug: slugOf(price),
    name: price.name,
    unitPrice: price.unitPrice,
    currency: price.currency,
    isDefault: price.isDefault,
    active: price.active,
    usageEventsPerUnit: price.usageEventsPerUnit ?? 1,
    ...(price.intervalUnit
      ? { intervalUnit: price.intervalUnit, intervalCount: price.intervalCount ?? 1 }
      : {}),
  };
}

/** Everything of a pricing model as a file another organization or mode can import: by slug, in a stable order. */
export async function exportPricingModel(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<PricingModelFile> {
  const pricingModel = await requirePricingModel(db, merchant, id);
  const [details, features, resources, meters, discounts] = await Promise.all([
    getPricingModelDetails(db, merchant, id),
    listFeaturesOfPricingModel(db, merchant, id),
    listResourcesOfPricingModel(db, merchant, id),
    listUsageMetersOfPricingModels(db, merchant, [id]),
    listDiscountsOfPricingModel(db, merchant, id),
  ]);
  const meterSlug = new Map(meters.map((m) => [m.id, m.slug]));
  const resourceSlug = new Map(resources.map((r) => [r.id, r.slug]));
  const bySlug = <T extends { slug: string }>(a: T, b: T) => a.slug.localeCompare(b.slug);
  return {
    name: pricingModel.name,
    isDefault: pricingModel.isDefault,
    features: features
      .map((f): PricingModelFile["features"][number] => {
        const common = { slug: f.slug, name: f.name, description: f.description, active: f.active };
        if (f.type === "usage_credit_grant") {
          return {
            type: "usage_credit_grant",
            ...common,
            amount: f.amount ?? panic(`credit feature ${f.id} has no amount`),
            renewalFrequency: f.renewalFrequency ?? "once",
            usageMeterSlug: meterSlug.get(f.usageMeterId ?? "") ?? panic(`feature ${f.id} names no meter`),
          };
        }
        if (f.type === "resource") {
          return {
            type: "resource",
            ...common,
            amount: f.amount ?? panic(`resource feature ${f.id} has no amount`),
            resourceSlug: resourceSlug.get(f.resourceId ?? "") ?? panic(`feature ${f.id} names no resource`),
          };
        }
        return { type: "toggle", ...common };
      })
      .sort(bySlug),
    products: details.products
      .map((p) => {
        const main = p.defaultPrice ?? p.prices[0] ?? panic(`product ${p.id} has no price`);
        const others = p.prices
          .filter((price) => price.id !== main.id)
          .map((price) => productPrice(price, meterSlug));
        return {
          product: {
            name: p.name,
            slug: slugOf(p),
            description: p.description,
            active: p.active,
            singularQuantityLabel: p.singularQuantityLabel,
            pluralQuantityLabel: p.pluralQuantityLabel,
          },
          price: productPrice(main, meterSlug),
          ...(others.length > 0 ? { prices: others.sort(bySlug) } : {}),
          features: p.features.map((f) => f.slug).sort(),
        };
      })
      .sort((a, b) => a.product.slug.localeCompare(b.product.slug)),
    usageMeters: details.usageMeters
      .map((m) => ({
        usageMeter: { name: m.name, slug: m.slug, aggregationType: m.aggregationType },
        // A product's usage price is written with its product, not a second time here.
        prices: m.prices
          .filter((price) => price.productId === null)
          .map(usagePrice)
          .sort(bySlug),
      }))
      .sort((a, b) => a.usageMeter.slug.localeCompare(b.usageMeter.slug)),
    resources: resources.map((r) => ({ slug: r.slug, name: r.name, active: r.active })).sort(bySlug),
    discounts: discounts
      .map((d) => ({
        name: d.name,
        code: d.code,
        amountType: d.amountType,
        amount: d.amount,
        duration: d.duration,
        numberOfPayments: d.numberOfPayments,
        active: d.active,
      }))
      .sort((a, b) => a.code.localeCompare(b.code)),
  };
}
