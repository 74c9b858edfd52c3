import type { Transaction } from "../db/client.js";
import type { Merchant } from "./merchant.js";

/** The period a renewal closes: its usage is billed in arrears on the next period's invoice. */
export type ClosingPeriod = {
  subscriptionId: string;
  customerId: string;
  pricingModelId: string;
  /** The period that has just ended (the one whose usage is billed). */
  billingPeriodId: string;
  startDate: Date;
  endDate: Date;
};

/** One usage price's line on a renewal invoice: quantity in billing units, after credits. */
export type UsageInvoiceLine = {
  priceId: string;
  description: string;
  quantity: number;
  unitPrice: number;
  usageMeterId: string;
  /** Meter units covered by credits before `quantity` was counted. */
  creditsApplied: number;
  billingPeriodId: string;
};

/**
 * How a renewal bills usage (the usage domain implements it; subscriptions sits below usage, so it is
 * handed this through `AppDeps` like the card processor). Called in the renewal's transaction: the usage it
 * returns as lines is marked billed, and the credits it used are recorded, in that same transaction.
 */
export interface UsageBilling {
  billClosingPeriod(
    tx: Transaction,
    merchant: Merchant,
    period: ClosingPeriod,
    now: Date,
  ): Promise<UsageInvoiceLine[]>;
}
