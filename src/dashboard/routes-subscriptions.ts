import {
  renderSubscriptionPage,
  renderSubscriptionsPage,
  type SubscriptionDetailView,
} from "../../web/dashboard/subscriptions-page.js";
import type { AppDeps } from "../context/index.js";
import type { SubscriptionStatus } from "../db/schema/index.js";
import type { App } from "../http/types.js";
import { getSubscription, listSubscriptionsPage, type SubscriptionRow } from "../subscriptions/index.js";
import type { Visitor } from "./access.js";
import { when } from "./format.js";
import { customerLabels, listOr400, notFoundPage, pageQuery, statusParam } from "./records-shared.js";
import { canChange, frameFor, messagePage, viewingVisitor, visitorMerchant } from "./routes-visitor.js";
import { itemViews, summarize } from "./subscription-view.js";

export const SUBSCRIPTIONS_PATH = "/dashboard/subscriptions";

const STATUSES: readonly SubscriptionStatus[] = [
  "active",
  "trialing",
  "past_due",
  "unpaid",
  "cancellation_scheduled",
  "incomplete",
  "incomplete_expired",
  "canceled",
  "paused",
  "credit_trial",
];

const ENDED: ReadonlySet<SubscriptionStatus> = new Set(["canceled", "incomplete_expired"]);

/** The actions the subscription's state allows, as the cancel services would accept them; none for a viewer. */
function actionsFor(visitor: Visitor, sub: SubscriptionRow, now: Date): SubscriptionDetailView["actions"] {
  if (!canChange(visitor)) return null;
  const ended = ENDED.has(sub.status);
  const running = sub.currentBillingPeriodEnd !== null && sub.currentBillingPeriodEnd > now;
  return {
    cancelAtPeriodEnd:
      !ended && running && sub.status !== "incomplete" && sub.status !== "cancellation_scheduled",
    cancelNow: !ended,
    undo: sub.status === "cancellation_scheduled",
  };
}

/** The detail page, also rendered again (400) by a refused action with its reason. */
export async function subscriptionPage(
  deps: AppDeps,
  visitor: Visitor,
  sub: SubscriptionRow,
  error?: string,
) {
  const merchant = visitorMerchant(visitor);
  const now = deps.now();
  const [{ summaries, items, prices }, customers] = await Promise.all([
    summarize(deps, merchant, [sub], now),
    customerLabels(deps, merchant, [sub.customerId]),
  ]);
  const summary = summaries.get(sub.id);
  const start = sub.currentBillingPeriodStart;
  const end = sub.currentBillingPeriodEnd;
  return renderSubscriptionPage(await frameFor(deps, visitor, SUBSCRIPTIONS_PATH), {
    id: sub.id,
    status: sub.status,
    customer: customers.get(sub.customerId) ?? sub.customerId,
    plan: summary?.plan ?? sub.priceId,
    amount: summary?.amount ?? "—",
    started: when(sub.startDate),
    period: start && end ? `${when(start)} → ${when(end)}` : "—",
    cancelScheduledAt: sub.cancelScheduledAt ? when(sub.cancelScheduledAt) : null,
    canceledAt: sub.canceledAt ? when(sub.canceledAt) : null,
    items: itemViews(sub, items, prices),
    actions: actionsFor(visitor, sub, now),
    error: error ?? null,
  });
}

export function registerDashboardSubscriptions(app: App, deps: AppDeps): void {
  app.get(SUBSCRIPTIONS_PATH, async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    const status = statusParam(c, STATUSES);
    if (status === null) return messagePage(c, 400, "Subscriptions", "There is no such subscription status.");
    const merchant = visitorMerchant(visitor);
    const page = await listOr400(c, "Subscriptions", () =>
      listSubscriptionsPage(deps.db, merchant, pageQuery(c), status),
    );
    if (page instanceof Response) return page;
    const [{ summaries }, customers] = await Promise.all([
      summarize(deps, merchant, page.data, deps.now()),
      customerLabels(
        deps,
        merchant,
        page.data.map((s) => s.customerId),
      ),
    ]);
    return c.html(
      renderSubscriptionsPage(await frameFor(deps, visitor, SUBSCRIPTIONS_PATH), {
        rows: page.data.map((s) => ({
          id: s.id,
          status: s.status,
          customer: customers.get(s.customerId) ?? s.customerId,
          plan: summaries.get(s.id)?.plan ?? s.priceId,
          amount: summaries.get(s.id)?.amount ?? "—",
          periodEnd: s.currentBillingPeriodEnd ? when(s.currentBillingPeriodEnd) : "—",
        })),
        statuses: STATUSES,
        status,
        next: page.nextCursor ?? null,
      }),
    );
  });

  app.get(`${SUBSCRIPTIONS_PATH}/:id`, async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    const sub = await getSubscription(deps.db, visitorMerchant(visitor), c.req.param("id"));
    if (!sub) return notFoundPage(c, "subscription");
    return c.html(await subscriptionPage(deps, visitor, sub));
  });
}
