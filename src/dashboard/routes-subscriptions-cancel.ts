import { recordAudit } from "../audit/index.js";
import type { AppDeps } from "../context/index.js";
import type { App } from "../http/types.js";
import { AppError } from "../lib/errors.js";
import {
  type CancellationTiming,
  cancelSubscription,
  getSubscription,
  type OnSubscriptionChange,
  type SubscriptionRow,
  uncancelSubscription,
} from "../subscriptions/index.js";
import type { Visitor } from "./access.js";
import { notFoundPage } from "./records-shared.js";
import { SUBSCRIPTIONS_PATH, subscriptionPage } from "./routes-subscriptions.js";
import { postingVisitor, visitorActor, visitorMerchant } from "./routes-visitor.js";

const TIMINGS: readonly CancellationTiming[] = ["at_end_of_current_billing_period", "immediately"];

/** What the audit log keeps of a subscription's cancellation state. */
function audited(sub: SubscriptionRow) {
  return {
    id: sub.id,
    status: sub.status,
    cancelScheduledAt: sub.cancelScheduledAt?.toISOString() ?? null,
    canceledAt: sub.canceledAt?.toISOString() ?? null,
    currentBillingPeriodEnd: sub.currentBillingPeriodEnd?.toISOString() ?? null,
  };
}

/** The audit entry, written by the service inside the change's own transaction. */
function auditIn(deps: AppDeps, visitor: Visitor): OnSubscriptionChange {
  return (tx, before, after) => {
    const action =
      after.status === "canceled"
        ? "subscription.canceled"
        : after.status === "cancellation_scheduled"
          ? "subscription.cancellation_scheduled"
          : "subscription.cancellation_undone";
    return recordAudit(
      tx,
      visitorMerchant(visitor),
      {
        actor: visitorActor(visitor),
        action,
        objectType: "subscription",
        objectId: after.id,
        before: audited(before),
        after: audited(after),
      },
      deps.now(),
    );
  };
}

/** Cancel (at period end or now) and undo, by admins and owners, each audited with the change. */
export function registerDashboardSubscriptionChanges(app: App, deps: AppDeps): void {
  const change = (verb: "cancel" | "uncancel") =>
    app.post(`${SUBSCRIPTIONS_PATH}/:id/${verb}`, async (c) => {
      const posted = await postingVisitor(c, deps, "admin");
      if (posted instanceof Response) return posted;
      const { visitor, form } = posted;
      const merchant = visitorMerchant(visitor);
      const sub = await getSubscription(deps.db, merchant, c.req.param("id"));
      if (!sub) return notFoundPage(c, "subscription");
      const timing = TIMINGS.find((t) => t === form.timing);
      if (verb === "cancel" && !timing) {
        return c.html(await subscriptionPage(deps, visitor, sub, "Choose when the subscription ends."), 400);
      }
      try {
        if (verb === "cancel" && timing) {
          await cancelSubscription(deps, merchant, sub.id, timing, auditIn(deps, visitor));
        } else {
          await uncancelSubscription(deps, merchant, sub.id, auditIn(deps, visitor));
        }
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        if (error.code === "NOT_FOUND") return notFoundPage(c, "subscription");
        const now = (await getSubscription(deps.db, merchant, sub.id)) ?? sub;
        return c.html(await subscriptionPage(deps, visitor, now, error.message), 400);
      }
      return c.redirect(`${SUBSCRIPTIONS_PATH}/${sub.id}`, 303);
    });
  change("cancel");
  change("uncancel");
}
