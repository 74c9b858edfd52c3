// The product form as a merchant types it, checked field by field so each error sits next to its field.
import { CURRENCIES, MAX_AMOUNT, minorUnitDigits } from "../lib/money.js";

export const INTERVALS = ["day", "week", "month", "year"] as const;
export type Interval = (typeof INTERVALS)[number];
export const PRICE_TYPES = ["single_payment", "subscription"] as const;
export type DashboardPriceType = (typeof PRICE_TYPES)[number];

/** What the form sends back when it is shown again after an error. */
export type ProductFormValues = {
  name: string;
  description: string;
  slug: string;
  pricingModelId: string;
  priceType: string;
  unitAmount: string;
  currency: string;
  intervalUnit: string;
};

export type ProductFormErrors = Partial<Record<keyof ProductFormValues, string>>;

export type ProductFormInput = {
  pricingModelId: string;
  product: { name: string; description: string | null; slug: string | null };
  price:
    | { type: "single_payment"; unitPrice: number; currency: string }
    | { type: "subscription"; unitPrice: number; currency: string; intervalUnit: Interval; intervalCount: 1 };
};

/**
 * "19.99" in the currency's major units → 1999 minor units, by string arithmetic so no float rounding can
 * change what the merchant typed. A zero-decimal currency (JPY) takes whole numbers only.
 */
export function parseMajorUnits(text: string, currency: string): number | string {
  const digits = minorUnitDigits(currency);
  const cleaned = text.trim().replace(/,/g, "");
  const pattern = digits === 0 ? /^(\d{1,16})$/ : /^(\d{1,16})(?:\.(\d{1,2}))?$/;
  const match = pattern.exec(cleaned);
  if (!match) {
    return digits === 0
      ? `Enter a whole amount in ${currency}, like 500.`
      : `Enter an amount in ${currency} like 19.99 (at most ${digits} decimals).`;
  }
  const whole = BigInt(match[1] ?? "0");
  const fraction = BigInt((match[2] ?? "").padEnd(digits, "0") || "0");
  const minor = whole * 10n ** BigInt(digits) + fraction;
  if (minor <= 0n) return "Enter an amount above zero.";
  if (minor > BigInt(MAX_AMOUNT)) return "That amount is too large.";
  return Number(minor);
}

const SUPPORTED = new Set<string>(CURRENCIES);

/** A price as the forms type it (the product form's first price, or another price of a product). */
export type PriceFormValues = Pick<
  ProductFormValues,
  "priceType" | "unitAmount" | "currency" | "intervalUnit"
>;
export type PriceFormErrors = Partial<Record<keyof PriceFormValues, string>>;

/** The price fields of a form, checked; `price` only when every one is right. */
export function readPriceFields(form: Record<string, string>): {
  values: PriceFormValues;
  price?: ProductFormInput["price"];
  errors: PriceFormErrors;
} {
  const values: PriceFormValues = {
    priceType: form.priceType ?? "",
    unitAmount: (form.unitAmount ?? "").trim(),
    currency: (form.currency ?? "").toUpperCase(),
    intervalUnit: form.intervalUnit ?? "",
  };
  const errors: PriceFormErrors = {};
  if (!(PRICE_TYPES as readonly string[]).includes(values.priceType)) {
    errors.priceType = "Choose one-time payment or subscription.";
  }
  if (!SUPPORTED.has(values.currency)) errors.currency = "Choose a currency from the list.";
  const interval = INTERVALS.find((i) => i === values.intervalUnit);
  if (values.priceType === "subscription" && !interval) {
    errors.intervalUnit = "Choose how often a subscription renews.";
  }
  const amount = errors.currency ? undefined : parseMajorUnits(values.unitAmount, values.currency);
  if (typeof amount === "string") errors.unitAmount = amount;
  if (Object.keys(errors).length > 0 || typeof amount !== "number") return { values, errors };
  const price =
    values.priceType === "subscription" && interval
      ? {
          type: "subscription" as const,
          unitPrice: amount,
          currency: values.currency,
          intervalUnit: interval,
          intervalCount: 1 as const,
        }
      : { type: "single_payment" as const, unitPrice: amount, currency: values.currency };
  return { values, price, errors };
}

/** The values, or the errors per field; nothing is written until every field is right. */
export function readProductForm(form: Record<string, string>): {
  values: ProductFormValues;
  input?: ProductFormInput;
  errors: ProductFormErrors;
} {
  const priced = readPriceFields(form);
  const values: ProductFormValues = {
    name: (form.name ?? "").trim(),
    description: (form.description ?? "").trim(),
    slug: (form.slug ?? "").trim(),
    pricingModelId: form.pricingModelId ?? "",
    ...priced.values,
  };
  const errors: ProductFormErrors = { ...priced.errors };
  if (values.name === "" || values.name.length > 255)
    errors.name = "Give the product a name of 1 to 255 characters.";
  if (values.description.length > 5000) errors.description = "Keep the description under 5,000 characters.";
  if (values.slug !== "" && !/^[a-z0-9][a-z0-9_-]{0,254}$/.test(values.slug)) {
    errors.slug = "Use lower-case letters, digits, - and _ (or leave it empty).";
  }
  if (Object.keys(errors).length > 0 || !priced.price) return { values, errors };
  const product = {
    name: values.name,
    description: values.description === "" ? null : values.description,
    slug: values.slug === "" ? null : values.slug,
  };
  return { values, input: { pricingModelId: values.pricingModelId, product, price: priced.price }, errors };
}
