// Pricing model, discount and feature forms as a merchant types them, checked field by field; the domains'
// services check again (codes unique, slugs unique) and their refusals are put next to the field too.
import { parseMajorUnits } from "./catalog-form.js";

type Read<Values, Input> = { values: Values; input?: Input; errors: Partial<Record<keyof Values, string>> };

const NAME = "Give it a name of 1 to 255 characters.";

export type PricingModelFormValues = { name: string; isDefault: string };

export function readPricingModelForm(
  form: Record<string, string>,
): Read<PricingModelFormValues, { name: string; isDefault: boolean }> {
  const values = { name: (form.name ?? "").trim(), isDefault: form.isDefault === "true" ? "true" : "" };
  if (values.name === "" || values.name.length > 255) return { values, errors: { name: NAME } };
  return { values, input: { name: values.name, isDefault: values.isDefault === "true" }, errors: {} };
}

export type DiscountFormValues = {
  name: string;
  code: string;
  amountType: string;
  amount: string;
  currency: string;
  duration: string;
  numberOfPayments: string;
};

export type DiscountFormInput = {
  name: string;
  code: string;
  amountType: "percent" | "fixed";
  amount: number;
  duration: "once" | "forever" | "number_of_payments";
  numberOfPayments: number | null;
};

const DURATIONS = ["once", "forever", "number_of_payments"] as const;

export function readDiscountForm(form: Record<string, string>): Read<DiscountFormValues, DiscountFormInput> {
  const values: DiscountFormValues = {
    name: (form.name ?? "").trim(),
    code: (form.code ?? "").trim(),
    amountType: form.amountType ?? "",
    amount: (form.amount ?? "").trim(),
    currency: (form.currency ?? "USD").toUpperCase(),
    duration: form.duration ?? "",
    numberOfPayments: (form.numberOfPayments ?? "").trim(),
  };
  const errors: Partial<Record<keyof DiscountFormValues, string>> = {};
  if (values.name === "" || values.name.length > 255) errors.name = NAME;
  if (!/^[A-Za-z0-9_-]{1,50}$/.test(values.code)) {
    errors.code = "Use 1 to 50 letters, digits, - and _ (customers type it, in any case).";
  }
  let amount: number | undefined;
  if (values.amountType === "percent") {
    if (/^\d{1,3}$/.test(values.amount) && Number(values.amount) >= 1 && Number(values.amount) <= 100) {
      amount = Number(values.amount);
    } else errors.amount = "Enter a whole percent from 1 to 100.";
  } else if (values.amountType === "fixed") {
    const parsed = parseMajorUnits(values.amount, values.currency);
    if (typeof parsed === "number") amount = parsed;
    else errors.amount = parsed;
  } else errors.amountType = "Choose a percent or a fixed amount off.";
  const duration = DURATIONS.find((d) => d === values.duration);
  if (!duration) errors.duration = "Choose how many payments the discount applies to.";
  let numberOfPayments: number | null = null;
  if (duration === "number_of_payments") {
    if (/^\d{1,4}$/.test(values.numberOfPayments) && Number(values.numberOfPayments) >= 1) {
      numberOfPayments = Math.min(Number(values.numberOfPayments), 1000);
      if (Number(values.numberOfPayments) > 1000) errors.numberOfPayments = "At most 1,000 payments.";
    } else errors.numberOfPayments = "Enter how many payments, 1 to 1,000.";
  }
  if (Object.keys(errors).length > 0 || amount === undefined || !duration || values.amountType === "")
    return { values, errors };
  return {
    values,
    input: {
      name: values.name,
      code: values.code,
      amountType: values.amountType as "percent" | "fixed",
      amount,
      duration,
      numberOfPayments,
    },
    errors,
  };
}

export type FeatureFormValues = { name: string; slug: string; description: string };

export function readFeatureForm(
  form: Record<string, string>,
): Read<FeatureFormValues, { name: string; slug: string; description: string | undefined }> {
  const values = {
    name: (form.name ?? "").trim(),
    slug: (form.slug ?? "").trim(),
    description: (form.description ?? "").trim(),
  };
  const errors: Partial<Record<keyof FeatureFormValues, string>> = {};
  if (values.name === "" || values.name.length > 255) errors.name = NAME;
  if (!/^[a-z0-9][a-z0-9_-]{0,254}$/.test(values.slug)) {
    errors.slug = "Use lower-case letters, digits, - and _: your app checks access by this slug.";
  }
  if (values.description.length > 5000) errors.description = "Keep the description under 5,000 characters.";
  if (Object.keys(errors).length > 0) return { values, errors };
  return {
    values,
    input: {
      name: values.name,
      slug: values.slug,
      description: values.description === "" ? undefined : values.description,
    },
    errors,
  };
}
