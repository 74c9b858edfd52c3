import { sql } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Database, Executor } from "../db/client.js";
import { insertPrice } from "./create-price.js";
import { createProduct } from "./create-product.js";
import type { PriceInput } from "./price-terms.js";
import { ensureDefaultPricingModel } from "./pricing-models.js";
import { getPriceBySlug, getProductBySlug } from "./queries.js";
import type { PriceRow, PricingModelRow, ProductRow } from "./serialize.js";

export const DEMO_PRODUCT_SLUG = "glade-pro";

const ONE_TIME: PriceInput = {
  type: "single_payment",
  name: "Pro (lifetime)",
  slug: "pro-lifetime",
  unitPrice: 19900,
  currency: "USD",
};
const MONTHLY: PriceInput = {
  type: "subscription",
  name: "Pro (monthly)",
  slug: "pro-monthly",
  unitPrice: 1900,
  currency: "USD",
  intervalUnit: "month",
  intervalCount: 1,
  trialPeriodDays: 14,
};

async function ensurePrice(
  tx: Executor,
  merchant: Merchant,
  pricingModel: PricingModelRow,
  product: ProductRow,
  input: PriceInput & { slug: string },
  isDefault: boolean,
  now: Date,
): Promise<PriceRow> {
  const existing = await getPriceBySlug(tx, merchant, pricingModel.id, input.slug);
  return existing ?? insertPrice(tx, merchant, product, pricingModel.id, input, isDefault, now);
}

/**
 * The demo store's catalog: "Glade Pro" sold once (pro-lifetime) or monthly with a 14-day trial (pro-monthly).
 * Looked up by slug first, so calling it on every start changes nothing once it exists.
 */
export async function seedDemoCatalog(
  db: Database,
  merchant: Merchant,
  now: Date,
): Promise<{
  pricingModel: PricingModelRow;
  product: ProductRow;
  oneTimePrice: PriceRow;
  monthlyPrice: PriceRow;
}> {
  return db.transaction(async (tx) => {
    // Several processes may start at once; the first seeds, the others then find everything by slug.
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`seed_demo_catalog:${merchant.organizationId}:${merchant.livemode}`}, 0))`,
    );
    const pricingModel = await ensureDefaultPricingModel(tx, merchant, now);
    let product = await getProductBySlug(tx, merchant, pricingModel.id, DEMO_PRODUCT_SLUG);
    if (!product) {
      product = (
        await createProduct(
          tx,
          merchant,
          {
            name: "Glade Pro",
            slug: DEMO_PRODUCT_SLUG,
            pricingModelId: pricingModel.id,
            description: "Everything in Glade, for one team.",
          },
          ONE_TIME,
          now,
        )
      ).product;
    }
    const oneTimePrice = await ensurePrice(
      tx,
      merchant,
      pricingModel,
      product,
      { ...ONE_TIME, slug: "pro-lifetime" },
      true,
      now,
    );
    const monthlyPrice = await ensurePrice(
      tx,
      merchant,
      pricingModel,
      product,
      { ...MONTHLY, slug: "pro-monthly" },
      false,
      now,
    );
    return { pricingModel, product, oneTimePrice, monthlyPrice };
  });
}
