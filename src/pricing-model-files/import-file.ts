import {
  createFeature,
  createPrice,
  createPricingModel,
  createProduct,
  createResource,
  createUsageMeter,
  type PricingModelRow,
} from "../catalog/index.js";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { createDiscount } from "../discounts/index.js";
import { badRequest, type ErrorIssue, panic } from "../lib/errors.js";
import type { FileProductPrice, PricingModelFile } from "./schemas.js";

/** Slugs a file repeats, and names it uses that it does not define, as issues naming their paths. */
function crossReferenceIssues(file: PricingModelFile): ErrorIssue[] {
  const issues: ErrorIssue[] = [];
  const unique = (values: string[], path: (i: number) => (string | number)[], what: string) => {
    const seen = new Set<string>();
    values.forEach((value, i) => {
      const key = value.toLowerCase();
      if (seen.has(key)) issues.push({ path: path(i), message: `${what} "${value}" appears twice` });
      seen.add(key);
    });
  };
  unique(
    file.features.map((f) => f.slug),
    (i) => ["features", i, "slug"],
    "feature slug",
  );
  unique(
    file.products.map((p) => p.product.slug),
    (i) => ["products", i, "product", "slug"],
    "product slug",
  );
  unique(
    file.usageMeters.map((m) => m.usageMeter.slug),
    (i) => ["usageMeters", i, "usageMeter", "slug"],
    "meter slug",
  );
  unique(
    (file.resources ?? []).map((r) => r.slug),
    (i) => ["resources", i, "slug"],
    "resource slug",
  );
  unique(
    (file.discounts ?? []).map((d) => d.code),
    (i) => ["discounts", i, "code"],
    "discount code",
  );
  const productPrices: { price: FileProductPrice; path: (string | number)[] }[] = [];
  file.products.forEach((p, i) => {
    productPrices.push({ price: p.price, path: ["products", i, "price"] });
    (p.prices ?? []).forEach((price, j) => {
      productPrices.push({ price, path: ["products", i, "prices", j] });
    });
  });
  const priceSlugs = productPrices.map(({ price, path }) => ({ slug: price.slug, path: [...path, "slug"] }));
  file.usageMeters.forEach((m, i) => {
    (m.prices ?? []).forEach((price, j) => {
      priceSlugs.push({ slug: price.slug, path: ["usageMeters", i, "prices", j, "slug"] });
    });
  });
  const seenPrices = new Set<string>();
  for (const { slug, path } of priceSlugs) {
    if (seenPrices.has(slug)) issues.push({ path, message: `price slug "${slug}" appears twice` });
    seenPrices.add(slug);
  }
  const meters = new Set(file.usageMeters.map((m) => m.usageMeter.slug));
  const resources = new Set((file.resources ?? []).map((r) => r.slug));
  file.features.forEach((f, i) => {
    if (f.type === "usage_credit_grant" && !meters.has(f.usageMeterSlug)) {
      issues.push({
        path: ["features", i, "usageMeterSlug"],
        message: `no usage meter "${f.usageMeterSlug}"`,
      });
    }
    if (f.type === "resource" && !resources.has(f.resourceSlug)) {
      issues.push({ path: ["features", i, "resourceSlug"], message: `no resource "${f.resourceSlug}"` });
    }
  });
  for (const { price, path } of productPrices) {
    if (price.type === "usage" && !meters.has(price.usageMeterSlug))
      issues.push({ path: [...path, "usageMeterSlug"], message: `no usage meter "${price.usageMeterSlug}"` });
  }
  const features = new Set(file.features.map((f) => f.slug));
  file.products.forEach((p, i) => {
    p.features.forEach((slug, j) => {
      if (!features.has(slug))
        issues.push({ path: ["products", i, "features", j], message: `no feature "${slug}"` });
    });
  });
  return issues;
}

const need = <T>(map: Map<string, T>, key: string): T =>
  map.get(key) ?? panic(`${key} was checked but not created`);

/** A product's price as the catalog takes it: a usage price's meter by id instead of by slug. */
function productPriceInput(price: FileProductPrice, meterIds: Map<string, string>) {
  if (price.type !== "usage") return price;
  const { usageMeterSlug, ...terms } = price;
  return { ...terms, usageMeterId: need(meterIds, usageMeterSlug) };
}

/**
 * Creates a whole pricing model from a file, in the caller's transaction, through the catalog's and the
 * discounts' own create functions (so every rule they hold applies). The file is checked as a whole first;
 * anything refused later (a rule only the database sees) rolls the transaction back, so nothing is half made.
 */
export async function importPricingModel(
  tx: Executor,
  merchant: Merchant,
  file: PricingModelFile,
  now: Date,
): Promise<PricingModelRow> {
  const issues = crossReferenceIssues(file);
  const first = issues[0];
  if (first)
    throw badRequest(`Invalid pricing model file: ${first.path.join(".")}: ${first.message}`, issues);

  const pricingModel = await createPricingModel(
    tx,
    merchant,
    { name: file.name, isDefault: file.isDefault },
    now,
  );
  const pricingModelId = pricingModel.id;
  const resourceIds = new Map<string, string>();
  for (const r of file.resources ?? []) {
    resourceIds.set(r.slug, (await createResource(tx, merchant, { ...r, pricingModelId }, now)).id);
  }
  const meterIds = new Map<string, string>();
  for (const { usageMeter, prices } of file.usageMeters) {
    const { usageMeter: meter } = await createUsageMeter(
      tx,
      merchant,
      { ...usageMeter, pricingModelId },
      undefined,
      now,
    );
    meterIds.set(meter.slug, meter.id);
    for (const price of prices ?? []) {
      await createPrice(tx, merchant, { ...price, usageMeterId: meter.id, pricingModelId }, now);
    }
  }
  const featureIds = new Map<string, string>();
  for (const f of file.features) {
    const refs =
      f.type === "usage_credit_grant"
        ? { usageMeterId: need(meterIds, f.usageMeterSlug) }
        : f.type === "resource"
          ? { resourceId: need(resourceIds, f.resourceSlug) }
          : {};
    const {
      usageMeterSlug: _m,
      resourceSlug: _r,
      ...fields
    } = f as typeof f & {
      usageMeterSlug?: string;
      resourceSlug?: string;
    };
    featureIds.set(
      f.slug,
      (await createFeature(tx, merchant, { ...fields, ...refs, pricingModelId }, now)).id,
    );
  }
  for (const p of file.products) {
    const { product } = await createProduct(
      tx,
      merchant,
      { ...p.product, pricingModelId },
      { ...productPriceInput(p.price, meterIds), isDefault: true },
      now,
      p.features.map((slug) => need(featureIds, slug)),
    );
    for (const price of p.prices ?? []) {
      const input = productPriceInput(price, meterIds);
      await createPrice(tx, merchant, { ...input, isDefault: false, productId: product.id }, now);
    }
  }
  for (const d of file.discounts ?? []) await createDiscount(tx, merchant, { ...d, pricingModelId }, now);
  return pricingModel;
}
