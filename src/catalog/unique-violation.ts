import { conflictOnUnique } from "../db/unique-violation.js";

export const priceSlugTaken = (slug: string | null | undefined) =>
  conflictOnUnique({
    prices_slug_per_pricing_model: `A price with slug "${slug}" already exists in this pricing model`,
  });

export const productSlugTaken = (slug: string | null | undefined) =>
  conflictOnUnique({
    products_slug_per_pricing_model: `A product with slug "${slug}" already exists in this pricing model`,
  });

export const usageMeterSlugTaken = (slug: string | null | undefined) =>
  conflictOnUnique({
    usage_meters_slug_per_pricing_model: `A usage meter with slug "${slug}" already exists in this pricing model`,
  });

export const featureSlugTaken = (slug: string | null | undefined) =>
  conflictOnUnique({
    features_slug_per_pricing_model: `A feature with slug "${slug}" already exists in this pricing model`,
  });

export const resourceSlugTaken = (slug: string | null | undefined) =>
  conflictOnUnique({
    resources_slug_per_pricing_model: `A resource with slug "${slug}" already exists in this pricing model`,
  });
