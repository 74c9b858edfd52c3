import { and, eq, sql } from "drizzle-orm";
import { listProductFeatureGrants } from "../catalog/index.js";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { usageCreditApplications } from "../db/schema/index.js";
import { param, sameTenant, statement, tenant } from "../db/statement.js";
import { type FeatureGrant, listFeatureGrants } from "../entitlements/index.js";
import { multiplyAmount, sumAmounts } from "../lib/money.js";
import { fullyRefundedPurchases } from "../payments/index.js";
import { listPurchasesForCustomer, type PurchaseRow } from "../purchases/index.js";

/**
 * Credits (in meter units) that cover usage before it is billed. Three kinds, each under its own key in
 * the applications ledger (`usage_credit_applications`):
 * - `grant:<grantId>:<periodStartMs>`: an `every_billing_period` grant's amount for one billing period; what
 *   that period's usage leaves unused expires with it.
 * - `grant:<grantId>`: a `once` grant's amount, given once and used until gone.
 * - `purchase:<purchaseId>:<productFeatureId>`: a top-up, bought with a single payment; the customer's,
 *   so it counts toward every subscription on the meter, and the ledger makes sure it is used once.
 */
export type Credit = {
  key: string;
  usageMeterId: string;
  periodic: boolean;
  /** When it was given: carried credits (once-grants and top-ups) are used oldest first. */
  givenAt: Date;
  amount: number;
  /** `amount` less what billed periods have already used. Billing lowers it as it applies credits. */
  remaining: number;
};

/** A subscription's billing period whose usage credits are to cover. */
export type CreditTarget = { subscriptionId: string; start: Date; end: Date };

export type CreditBook = {
  /**
   * The credits for the subscription's usage of the meter in the period starting at `periodStart` (none: only
   * carried credits), in the order they are used: the period's own first, then the carried ones oldest first.
   */
  creditsFor(subscriptionId: string, periodStart: Date | null, usageMeterId: string): Credit[];
};

const PAID_OR_PART_REFUNDED = new Set(["paid", "partial_refund"]);

type CreditSpec = Omit<Credit, "remaining"> & { subscriptionId: string | null; periodStartMs: number | null };

function grantCredits(grants: FeatureGrant[], targets: CreditTarget[], asOf: Date): CreditSpec[] {
  const specs: CreditSpec[] = [];
  for (const grant of grants) {
    if (grant.type !== "usage_credit_grant" || !grant.usageMeterId || !grant.amount) continue;
    if (grant.grantedAt.getTime() > asOf.getTime()) continue;
    const base = {
      usageMeterId: grant.usageMeterId,
      amount: grant.amount,
      subscriptionId: grant.subscriptionId,
    };
    if (grant.renewalFrequency === "every_billing_period") {
      // One amount for each period the grant was in force in (up to `asOf`), whatever part of it.
      for (const target of targets) {
        if (target.subscriptionId !== grant.subscriptionId) continue;
        const overlaps =
          grant.grantedAt.getTime() < target.end.getTime() &&
          (grant.endsAt === null || grant.endsAt.getTime() > target.start.getTime());
        if (!overlaps) continue;
        const periodStartMs = target.start.getTime();
        specs.push({
          ...base,
          key: `grant:${grant.id}:${periodStartMs}`,
          periodic: true,
          givenAt: grant.grantedAt,
          periodStartMs,
        });
      }
    } else {
      // Given when the grant started; kept until used, also after the grant itself ends.
      specs.push({
        ...base,
        key: `grant:${grant.id}`,
        periodic: false,
        givenAt: grant.grantedAt,
        periodStartMs: null,
      });
    }
  }
  return specs;
}

/**
 * Top-ups: each paid single-payment purchase of a product that had a usage_credit_grant feature attached when it
 * was bought gives that feature's amount × the purchase's quantity. A purchase refunded in full gives nothing
 * more (what it already covered stays covered); a partly refunded one keeps its credits.
 */
async function topUpCredits(
  db: Executor,
  merchant: Merchant,
  customerId: string,
  asOf: Date,
): Promise<CreditSpec[]> {
  const purchases = (await listPurchasesForCustomer(db, merchant, customerId)).filter(
    (p): p is PurchaseRow & { productId: string } =>
      p.priceType === "single_payment" &&
      p.productId !== null &&
      PAID_OR_PART_REFUNDED.has(p.status) &&
      boughtAt(p).getTime() <= asOf.getTime(),
  );
  if (purchases.length === 0) return [];
  const [attachments, refunded] = await Promise.all([
    listProductFeatureGrants(db, merchant, [...new Set(purchases.map((p) => p.productId))]),
    fullyRefundedPurchases(
      db,
      merchant,
      customerId,
      purchases.map((p) => p.id),
    ),
  ]);
  const specs: CreditSpec[] = [];
  for (const purchase of purchases) {
    if (refunded.has(purchase.id)) continue;
    const at = boughtAt(purchase).getTime();
    for (const { productFeature, feature } of attachments) {
      const attached =
        productFeature.productId === purchase.productId &&
        productFeature.createdAt.getTime() <= at &&
        (productFeature.expiredAt === null || productFeature.expiredAt.getTime() > at);
      if (!attached || feature.type !== "usage_credit_grant" || !feature.usageMeterId || !feature.amount)
        continue;
      specs.push({
        key: `purchase:${purchase.id}:${productFeature.id}`,
        usageMeterId: feature.usageMeterId,
        periodic: false,
        givenAt: boughtAt(purchase),
        amount: multiplyAmount(feature.amount, purchase.quantity),
        subscriptionId: null,
        periodStartMs: null,
      });
    }
  }
  return specs;
}

const boughtAt = (p: PurchaseRow): Date => p.purchaseDate ?? p.createdAt;

const usedOfCredits = statement("usage_credits_used", (db) =>
  db
    .select({
      key: usageCreditApplications.creditKey,
      used: sql<number>`sum(${usageCreditApplications.amount})`.mapWith(Number),
    })
    .from(usageCreditApplications)
    .where(
      and(
        sql`${usageCreditApplications.creditKey} = any(${param("keys")})`,
        eq(usageCreditApplications.customerId, param("customerId")),
        sameTenant(usageCreditApplications),
      ),
    )
    .groupBy(usageCreditApplications.creditKey),
);

/** What billed periods have used of each credit, over every subscription of the customer. */
async function appliedByKey(
  db: Executor,
  merchant: Merchant,
  customerId: string,
  keys: string[],
): Promise<Map<string, number>> {
  if (keys.length === 0) return new Map();
  const rows = await usedOfCredits(db, { ...tenant(merchant), customerId, keys });
  return new Map(rows.map((r) => [r.key, r.used]));
}

const byAge = (a: Credit, b: Credit) =>
  a.givenAt.getTime() - b.givenAt.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** What credits are made of: the subscriptions' grants and the customer's top-ups (read before the periods are known). */
export type CreditSources = { customerId: string; grants: FeatureGrant[]; topUps: CreditSpec[]; asOf: Date };

/**
 * The customer's top-ups and the grants of these subscriptions, as given by `asOf` (later ones do not count).
 * `grants` hands over a grant list the caller reads anyway (of these subscriptions at least; others are ignored).
 */
export async function loadCreditSources(
  db: Executor,
  merchant: Merchant,
  customerId: string,
  subscriptionIds: string[],
  asOf: Date,
  grants?: Promise<FeatureGrant[]>,
): Promise<CreditSources> {
  const [listed, topUps] = await Promise.all([
    grants ?? listFeatureGrants(db, merchant, subscriptionIds),
    topUpCredits(db, merchant, customerId, asOf),
  ]);
  const wanted = new Set(subscriptionIds);
  return { customerId, grants: listed.filter((g) => wanted.has(g.subscriptionId)), topUps, asOf };
}

/**
 * The credits for the given periods of the subscriptions, less what the ledger says was used. A once-grant or
 * top-up is one `Credit` object wherever it appears, so using it for one period leaves less of it for the next.
 */
export async function bookCredits(
  db: Executor,
  merchant: Merchant,
  sources: CreditSources,
  targets: CreditTarget[],
): Promise<CreditBook> {
  const periods = new Map(targets.map((t) => [`${t.subscriptionId}|${t.start.getTime()}`, t]));
  const specs = [...grantCredits(sources.grants, [...periods.values()], sources.asOf), ...sources.topUps];
  const applied = await appliedByKey(
    db,
    merchant,
    sources.customerId,
    specs.map((s) => s.key),
  );
  const periodic = new Map<string, Credit[]>();
  const carried = new Map<string, Credit[]>();
  const push = (map: Map<string, Credit[]>, key: string, credit: Credit) => {
    const list = map.get(key);
    if (list) list.push(credit);
    else map.set(key, [credit]);
  };
  for (const { subscriptionId, periodStartMs, ...spec } of specs) {
    const credit: Credit = { ...spec, remaining: Math.max(0, spec.amount - (applied.get(spec.key) ?? 0)) };
    if (periodStartMs !== null)
      push(periodic, `${subscriptionId}|${periodStartMs}|${spec.usageMeterId}`, credit);
    else push(carried, `${subscriptionId ?? "*"}|${spec.usageMeterId}`, credit);
  }
  for (const list of [...periodic.values(), ...carried.values()]) list.sort(byAge);
  return {
    creditsFor(subscriptionId, periodStart, usageMeterId) {
      const own = carried.get(`${subscriptionId}|${usageMeterId}`) ?? [];
      const customers = carried.get(`*|${usageMeterId}`) ?? [];
      return [
        ...((periodStart && periodic.get(`${subscriptionId}|${periodStart.getTime()}|${usageMeterId}`)) ||
          []),
        ...[...own, ...customers].sort(byAge),
      ];
    },
  };
}

/** The customer's credits for the given periods of its subscriptions, as given by `asOf`: both steps above. */
export async function loadCredits(
  db: Executor,
  merchant: Merchant,
  customerId: string,
  targets: CreditTarget[],
  asOf: Date,
): Promise<CreditBook> {
  const subscriptionIds = [...new Set(targets.map((t) => t.subscriptionId))];
  const sources = await loadCreditSources(db, merchant, customerId, subscriptionIds, asOf);
  return bookCredits(db, merchant, sources, targets);
}

/** Uses up to `units` of the credits in order; returns what each one gave (and lowers its `remaining`). */
export function consumeCredits(credits: Credit[], units: number): { credit: Credit; used: number }[] {
  const used: { credit: Credit; used: number }[] = [];
  let left = units;
  for (const credit of credits) {
    if (left <= 0) break;
    const take = Math.min(left, credit.remaining);
    if (take <= 0) continue;
    credit.remaining -= take;
    left -= take;
    used.push({ credit, used: take });
  }
  return used;
}

export const remainingCredits = (credits: Credit[]): number => sumAmounts(credits.map((c) => c.remaining));
