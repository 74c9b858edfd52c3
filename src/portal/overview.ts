import type { PortalPageView } from "../../web/portal-page.js";
import { getPricingModelDetails } from "../catalog/index.js";
import type { AppDeps, Merchant } from "../context/index.js";
import { getCustomerById } from "../customers/index.js";
import { hasReceipt, listInvoicesWithLinesForCustomer } from "../invoices/index.js";
import { panic } from "../lib/errors.js";
import { formatDay } from "../lib/locale.js";
import { formatAmount } from "../lib/money.js";
import { getOrganizationCached } from "../organizations/index.js";
import {
  describeCard,
  listPaymentMethodsForCustomer,
  listRecentPaymentsForCustomer,
} from "../payments/index.js";
import {
  listSubscriptionDetailsForCustomer,
  type SubscriptionDetailsRecord,
} from "../subscriptions/index.js";
import type { PortalVisitor } from "./access.js";

/** The portal lists the latest of these; older ones stay reachable through the merchant's support. */
const HISTORY_LIMIT = 50;

/** Statuses in which the customer still has (or is about to have) the plan: shown with their actions. */
const SHOWN = new Set(["active", "trialing", "past_due", "cancellation_scheduled", "incomplete", "unpaid"]);

const STATUS_LABELS: Record<string, string> = {
  active: "Active",
  trialing: "Trial",
  past_due: "Past due",
  unpaid: "Unpaid",
  cancellation_scheduled: "Cancels at period end",
  incomplete: "Awaiting payment",
  paid: "Paid",
  open: "Open",
  void: "Void",
  draft: "Draft",
  uncollectible: "Uncollectible",
  refunded: "Refunded",
  partially_refunded: "Partially refunded",
  succeeded: "Succeeded",
  processing: "Processing",
  failed: "Failed",
  canceled: "Canceled",
};

export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status;
}

type PortalSubscriptionView = PortalPageView["subscriptions"][number];

/** The front page's content; the route adds the form token and the one-time message. */
export type PortalOverview = Omit<PortalPageView, "csrfToken" | "flash">;

const INTERVAL_WORDS: Record<string, string> = { day: "day", week: "week", month: "month", year: "year" };

/** "$19.00 / month", "$50.00 / 3 months" for an item's price record as the wire carries it. */
export function priceLabel(price: Record<string, unknown> | undefined, quantity: number): string {
  if (!price) return "";
  const unit = Number(price.unitPrice ?? 0) * quantity;
  const amount = formatAmount(unit, String(price.currency ?? "USD"));
  const interval = INTERVAL_WORDS[String(price.intervalUnit ?? "")];
  if (!interval) return amount;
  const count = Number(price.intervalCount ?? 1);
  return count === 1 ? `${amount} / ${interval}` : `${amount} / ${count} ${interval}s`;
}

/** "Glade Pro (Plus)": the product, and the price's own name when it has one. */
export function planName(product: { name: string }, price: { name?: string | null }): string {
  return price.name ? `${product.name} (${price.name})` : product.name;
}

/** Each price's plan name, from the catalogs of the given pricing models (archived prices included). */
async function planNamesOf(deps: AppDeps, merchant: Merchant, pricingModelIds: string[]) {
  const names = new Map<string, string>();
  for (const id of new Set(pricingModelIds)) {
    const details = await getPricingModelDetails(deps.db, merchant, id, { activeOnly: false });
    for (const product of details.products) {
      for (const price of product.prices) names.set(price.id, planName(product, price));
    }
  }
  return names;
}

function subscriptionView(s: SubscriptionDetailsRecord, names: Map<string, string>): PortalSubscriptionView {
  const items = s.subscriptionItems;
  const main = items.find((i) => i.priceId === s.priceId) ?? items[0];
  const itemName = (item: (typeof items)[number]) => item.name ?? names.get(item.priceId) ?? "";
  const day = (ms: number | null) => (ms === null ? null : formatDay(new Date(ms)));
  let schedule: string | null = null;
  if (s.status === "cancellation_scheduled")
    schedule = `Ends on ${day(s.cancelScheduledAt ?? s.currentBillingPeriodEnd)}`;
  else if (s.status === "trialing" && s.trialEnd !== null) schedule = `Trial ends on ${day(s.trialEnd)}`;
  else if (s.renews && s.currentBillingPeriodEnd !== null)
    schedule = `Renews on ${day(s.currentBillingPeriodEnd)}`;
  const live = s.status === "active" || s.status === "trialing" || s.status === "past_due";
  return {
    id: s.id,
    name:
      [main ? itemName(main) : "", ...items.filter((i) => i !== main).map(itemName)]
        .filter((n) => n !== "")
        .join(" + ") ||
      s.name ||
      "Subscription",
    status: statusLabel(s.status),
    price: items.map((i) => priceLabel(i.price, i.quantity)).join(" + "),
    schedule,
    canCancel: live && s.renews,
    canUncancel: s.status === "cancellation_scheduled",
    canChangePlan: live && s.renews,
  };
}

/** Everything the portal's front page shows, read for the signed-in customer only. */
export async function buildPortalOverview(deps: AppDeps, visitor: PortalVisitor): Promise<PortalOverview> {
  const { merchant, customerId } = visitor;
  const now = deps.now();
  const [org, customer, subscriptions, cards, invoices, payments] = await Promise.all([
    getOrganizationCached(deps.db, merchant.organizationId),
    getCustomerById(deps.db, merchant, customerId),
    listSubscriptionDetailsForCustomer(deps.db, merchant, customerId, now),
    listPaymentMethodsForCustomer(deps.db, merchant, customerId),
    listInvoicesWithLinesForCustomer(deps.db, merchant, customerId, deps.config.publicUrl),
    listRecentPaymentsForCustomer(deps.db, merchant, customerId, HISTORY_LIMIT),
  ]);
  if (!customer) panic(`portal session ${visitor.sessionId} names a missing customer`);
  const shown = subscriptions.filter((s) => SHOWN.has(s.status));
  const names = await planNamesOf(
    deps,
    merchant,
    shown.map((s) => s.pricingModelId),
  );
  return {
    merchantName: org?.name ?? "Merchant",
    supportEmail: org?.supportEmail ?? null,
    livemode: merchant.livemode,
    customer: { name: customer.name, email: customer.email },
    returnUrl: visitor.returnUrl,
    subscriptions: shown.map((s) => subscriptionView(s, names)),
    cards: cards.map((card) => ({
      id: card.id,
      label: describeCard(card),
      expires: `${String(card.expMonth).padStart(2, "0")}/${card.expYear}`,
      isDefault: card.isDefault,
    })),
    invoices: invoices.slice(0, HISTORY_LIMIT).map(({ invoice }) => ({
      id: invoice.id,
      number: invoice.invoiceNumber,
      date: formatDay(new Date(invoice.invoiceDate)),
      total: formatAmount(invoice.total, invoice.currency),
      status: statusLabel(invoice.status),
      hasReceipt: hasReceipt(invoice),
    })),
    payments: payments.map((p) => ({
      id: p.id,
      date: formatDay(p.chargeDate),
      amount: formatAmount(p.amount, p.currency),
      status: statusLabel(p.status),
      refunded: p.refundedAmount > 0 ? formatAmount(p.refundedAmount, p.currency) : null,
    })),
  };
}
