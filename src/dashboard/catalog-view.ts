// Catalog rows as the dashboard shows them and as its audit entries keep them.
import type {
  CatalogDiscountView,
  CatalogFeatureView,
  CatalogPriceView,
  CatalogProductView,
} from "../../web/dashboard/catalog-parts.js";
import { type FeatureRow, type PriceRow, type ProductRow, pricePurchaseUrl } from "../catalog/index.js";
import type { DiscountRow } from "../discounts/index.js";
import { formatAmount } from "../lib/money.js";

function priceLabel(price: PriceRow): string {
  const amount = formatAmount(price.unitPrice, price.currency);
  if (price.type === "single_payment") return `${amount} once`;
  const every = price.intervalCount && price.intervalCount > 1 ? `${price.intervalCount} ` : "";
  const unit = `${price.intervalUnit ?? "month"}${every ? "s" : ""}`;
  return price.type === "usage"
    ? `${amount} per usage unit, billed every ${every}${unit}`
    : `${amount} / ${every}${unit}`;
}

export function priceView(price: PriceRow, publicUrl: string): CatalogPriceView {
  return {
    id: price.id,
    label: priceLabel(price),
    type: price.type,
    active: price.active,
    isDefault: price.isDefault,
    purchasePageEnabled: price.purchasePageEnabled,
    // Usage prices are billed on a subscription's renewals: they have no purchase page.
    purchaseUrl: price.type === "usage" ? null : pricePurchaseUrl(publicUrl, price.id),
  };
}

export function productView(product: ProductRow, prices: PriceRow[], publicUrl: string): CatalogProductView {
  return {
    id: product.id,
    name: product.name,
    description: product.description ?? "",
    slug: product.slug ?? "",
    active: product.active,
    purchasePageEnabled: product.purchasePageEnabled,
    prices: prices.filter((p) => p.productId === product.id).map((p) => priceView(p, publicUrl)),
  };
}

export function discountView(row: DiscountRow): CatalogDiscountView {
  const amount = row.amountType === "percent" ? `${row.amount}% off` : `${row.amount} minor units off`;
  const duration =
    row.duration === "number_of_payments"
      ? `${row.numberOfPayments ?? 0} payments`
      : row.duration.replace(/_/g, " ");
  return { id: row.id, name: row.name, code: row.code, amount, duration, active: row.active };
}

export function featureView(row: FeatureRow): CatalogFeatureView {
  return { name: row.name, slug: row.slug, type: row.type.replace(/_/g, " "), active: row.active };
}

/** The product fields the dashboard can change, plus what identifies it: its audit before/after. */
export function auditedProduct(p: ProductRow) {
  return {
    id: p.id,
    pricingModelId: p.pricingModelId,
    name: p.name,
    description: p.description,
    slug: p.slug,
    active: p.active,
    purchasePageEnabled: p.purchasePageEnabled,
  };
}

export function auditedPrice(p: PriceRow) {
  return {
    id: p.id,
    productId: p.productId,
    type: p.type,
    unitPrice: p.unitPrice,
    currency: p.currency,
    intervalUnit: p.intervalUnit,
    intervalCount: p.intervalCount,
    isDefault: p.isDefault,
    active: p.active,
    purchasePageEnabled: p.purchasePageEnabled,
  };
}
