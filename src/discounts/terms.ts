import type { DiscountAmountType, DiscountDuration } from "../db/schema/index.js";
import { conflictOnUnique } from "../db/unique-violation.js";
import { badRequest, type ErrorIssue } from "../lib/errors.js";

export type DiscountTermsInput = {
  amountType: DiscountAmountType;
  amount: number;
  duration: DiscountDuration;
  numberOfPayments?: number | null | undefined;
};

/** The rules between a discount's fields (zod checked each field's shape); `numberOfPayments` normalised. */
export function checkedTerms(
  input: DiscountTermsInput,
): DiscountTermsInput & { numberOfPayments: number | null } {
  const issues: ErrorIssue[] = [];
  if (input.amountType === "percent" && input.amount > 100) {
    issues.push({ path: ["discount", "amount"], message: "a percent discount is at most 100" });
  }
  const counted = input.duration === "number_of_payments";
  if (counted && (input.numberOfPayments === undefined || input.numberOfPayments === null)) {
    issues.push({
      path: ["discount", "numberOfPayments"],
      message: "required when duration is number_of_payments",
    });
  }
  if (!counted && input.numberOfPayments !== undefined && input.numberOfPayments !== null) {
    issues.push({
      path: ["discount", "numberOfPayments"],
      message: `must be null when duration is ${input.duration}`,
    });
  }
  const first = issues[0];
  if (first) throw badRequest(`Invalid discount: ${first.path.join(".")}: ${first.message}`, issues);
  return { ...input, numberOfPayments: counted ? (input.numberOfPayments ?? null) : null };
}

export const discountCodeTaken = (code: string) =>
  conflictOnUnique({
    discounts_code_per_pricing_model: `A discount with code "${code}" already exists in this pricing model`,
  });
