import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import type { IntervalUnit, PriceType } from "../db/schema/index.js";
import { badRequest, type ErrorIssue } from "../lib/errors.js";
import { getOrganization } from "../organizations/index.js";
import type { PriceRow } from "./serialize.js";

/** What a caller may say about a price; shapes are checked by zod, the rules between fields here. */
export type PriceInput = {
  type: PriceType;
  unitPrice: number;
  currency?: string | undefined;
  name?: string | null | undefined;
  slug?: string | null | undefined;
  isDefault?: boolean | undefined;
  active?: boolean | undefined;
  intervalUnit?: IntervalUnit | null | undefined;
  intervalCount?: number | null | undefined;
  trialPeriodDays?: number | null | undefined;
  usageMeterId?: string | null | undefined;
  usageEventsPerUnit?: number | null | undefined;
  purchasePageEnabled?: boolean | undefined;
};

/** The fields that decide what a customer is charged; they never change once a price exists. */
export type PriceTerms = Pick<
  PriceRow,
  | "type"
  | "unitPrice"
  | "intervalUnit"
  | "intervalCount"
  | "trialPeriodDays"
  | "usageMeterId"
  | "usageEventsPerUnit"
>;

const present = (v: unknown) => v !== undefined && v !== null;

export function normalizePriceTerms(input: PriceInput): PriceTerms {
  const issues: ErrorIssue[] = [];
  const forbid = (field: keyof PriceInput, why: string) => {
    if (present(input[field])) issues.push({ path: ["price", field], message: why });
  };
  let terms: PriceTerms;
  if (input.type === "subscription") {
    if (!present(input.intervalUnit)) {
      issues.push({ path: ["price", "intervalUnit"], message: "subscription prices need intervalUnit" });
    }
    forbid("usageMeterId", "only usage prices have a usage meter");
    forbid("usageEventsPerUnit", "only usage prices have usageEventsPerUnit");
    terms = {
      type: "subscription",
      unitPrice: input.unitPrice,
      intervalUnit: input.intervalUnit ?? null,
      intervalCount: input.intervalCount ?? 1,
      trialPeriodDays: input.trialPeriodDays ?? null,
      usageMeterId: null,
      usageEventsPerUnit: null,
    };
  } else if (input.type === "single_payment") {
    for (const field of ["intervalUnit", "intervalCount", "trialPeriodDays"] as const) {
      forbid(field, "single_payment prices have no billing interval or trial");
    }
    forbid("usageMeterId", "only usage prices have a usage meter");
    forbid("usageEventsPerUnit", "only usage prices have usageEventsPerUnit");
    terms = {
      type: "single_payment",
      unitPrice: input.unitPrice,
      intervalUnit: null,
      intervalCount: null,
      trialPeriodDays: null,
      usageMeterId: null,
      usageEventsPerUnit: null,
    };
  } else {
    forbid("trialPeriodDays", "usage prices have no trial");
    terms = {
      type: "usage",
      unitPrice: input.unitPrice,
      // Usage is billed in arrears on the subscription's renewals; Flowglad's usage prices always name an
      // interval, monthly unless said otherwise.
      intervalUnit: input.intervalUnit ?? "month",
      intervalCount: input.intervalCount ?? 1,
      trialPeriodDays: null,
      usageMeterId: input.usageMeterId ?? null,
      usageEventsPerUnit: input.usageEventsPerUnit ?? 1,
    };
  }
  const first = issues[0];
  if (first) throw badRequest(`Invalid price: ${first.path.join(".")}: ${first.message}`, issues);
  return terms;
}

export function sameTerms(a: PriceTerms, b: PriceTerms): boolean {
  return (
    a.type === b.type &&
    a.unitPrice === b.unitPrice &&
    a.intervalUnit === b.intervalUnit &&
    a.intervalCount === b.intervalCount &&
    a.trialPeriodDays === b.trialPeriodDays &&
    a.usageMeterId === b.usageMeterId &&
    a.usageEventsPerUnit === b.usageEventsPerUnit
  );
}

/** An explicit currency wins; otherwise the organization's default, otherwise USD. */
export async function resolveCurrency(
  db: Executor,
  merchant: Merchant,
  requested: string | undefined,
): Promise<string> {
  if (requested) return requested.toUpperCase();
  const org = await getOrganization(db, merchant.organizationId);
  return (org?.defaultCurrency ?? "USD").toUpperCase();
}
