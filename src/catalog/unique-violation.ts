import { uniqueViolationConstraint } from "../db/unique-violation.js";
import { AppError } from "../lib/errors.js";

/** A `.catch` handler turning known unique violations into CONFLICT; anything else is rethrown untouched. */
export function conflictOnUnique(messages: Record<string, string>): (err: unknown) => never {
  return (err) => {
    const constraint = uniqueViolationConstraint(err);
    const message = constraint === undefined ? undefined : messages[constraint];
    if (message !== undefined) throw new AppError("CONFLICT", message);
    throw err;
  };
}

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
