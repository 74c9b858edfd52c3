import type { PurchaseLandingView } from "../../web/purchase-page.js";
import type { PriceRow } from "../catalog/index.js";
import { formatAmount, minorUnitDigits, multiplyAmount } from "../lib/money.js";
import { MAX_QUANTITY } from "./params.js";
import type { Offer } from "./resolve-offer.js";

function every(price: PriceRow): string {
  const count = price.intervalCount ?? 1;
  const unit = price.intervalUnit ?? "month";
  return count === 1 ? `every ${unit}` : `every ${count} ${unit}s`;
}

/** The landing page for `quantity` of the offer; throws BAD_REQUEST when the total cannot be represented. */
export function buildLandingView(
  offer: Offer,
  quantity: number,
  email: string | undefined,
): PurchaseLandingView {
  const { price, product } = offer;
  const currency = price.currency;
  const unit = formatAmount(price.unitPrice, currency);
  const total = formatAmount(multiplyAmount(price.unitPrice, quantity), currency);
  const terms: string[] = [];
  let unitLabel = unit;
  let totalLabel = total;
  if (price.type === "subscription") {
    unitLabel = `${unit} ${every(price)}`;
    totalLabel = `${total} ${every(price)}`;
    const trialDays = price.trialPeriodDays ?? 0;
    if (trialDays > 0) terms.push(`Starts with a ${trialDays}-day free trial; nothing is charged today.`);
    terms.push("Billed until you cancel.");
  }
  const label = product?.pluralQuantityLabel ?? product?.singularQuantityLabel;
  return {
    livemode: offer.merchant.livemode,
    merchantName: offer.merchantName,
    title: product?.name ?? price.name ?? "Purchase",
    description: product?.description ?? null,
    unitLabel,
    quantity,
    maxQuantity: MAX_QUANTITY,
    quantityLabel: label ? `Quantity (${label})` : "Quantity",
    totalLabel,
    unitAmount: price.unitPrice,
    currency: currency.toUpperCase(),
    currencyDigits: minorUnitDigits(currency.toUpperCase()),
    every: price.type === "subscription" ? every(price) : null,
    terms,
    email: email ?? null,
    action: `/price/${encodeURIComponent(price.id)}/purchase`,
  };
}
