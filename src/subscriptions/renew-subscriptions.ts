import { and, asc, eq, inArray, lte } from "drizzle-orm";
import type { AppDeps, IntentResult, Merchant, ProcessorName, UsageBilling } from "../context/index.js";
import type { Transaction } from "../db/client.js";
import { billingPeriods, subscriptions } from "../db/schema/index.js";
import { inConstants, sameTenant } from "../db/statement.js";
import { countRedeemedPayment, discountAmountFor, lockRunningRedemption } from "../discounts/index.js";
import {
  createInvoice,
  getInvoice,
  getInvoiceForBillingPeriod,
  type InvoiceRow,
  markInvoicePaid,
} from "../invoices/index.js";
import { AppError, panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { multiplyAmount, sumAmounts } from "../lib/money.js";
import { chargeSavedCard, getPaymentMethod, recordPayment } from "../payments/index.js";
import { periodContaining } from "./periods.js";
import { lockSubscription } from "./queries.js";
import { renewalLines } from "./renewal-lines.js";
import type { BillingPeriodRow, SubscriptionRow } from "./serialize.js";
import { applySubscriptionChange } from "./update-subscription.js";

const RENEW_BATCH = 50;

type Prepared = { subscription: SubscriptionRow; period: BillingPeriodRow; invoice: InvoiceRow };

function isDue(sub: SubscriptionRow, now: Date): boolean {
  return (
    (sub.status === "active" || sub.status === "trialing") &&
    sub.interval !== null &&
    sub.currentBillingPeriodEnd !== null &&
    sub.currentBillingPeriodEnd.getTime() <= now.getTime()
  );
}

/** The period after the current one, aligned to the billing cycle anchor so month-end clamping never drifts. */
function nextPeriod(sub: SubscriptionRow): { start: Date; end: Date } {
  const start = sub.currentBillingPeriodEnd as Date;
  const unit = sub.interval as NonNullable<SubscriptionRow["interval"]>;
  const aligned = periodContaining(sub.billingCycleAnchorDate ?? start, unit, sub.intervalCount ?? 1, start);
  return { start, end: aligned.end };
}

/**
 * Step one, in a transaction: the next billing period and its open invoice, priced from the items in force
 * when the period starts, with the closing period's usage (billed in arrears, after credits). A crashed
 * earlier run's period and invoice are found again, never duplicated, and its usage is not billed again.
 */
async function prepareRenewal(
  tx: Transaction,
  merchant: Merchant,
  id: string,
  usageBilling: UsageBilling,
  now: Date,
): Promise<Prepared | null> {
  const sub = await lockSubscription(tx, merchant, id);
  if (!isDue(sub, now)) return null;
  const { start, end } = nextPeriod(sub);
  const scope = { organizationId: merchant.organizationId, livemode: merchant.livemode };
  await tx
    .insert(billingPeriods)
    .values({
      id: newId("billingPeriod"),
      ...scope,
      subscriptionId: sub.id,
      startDate: start,
      endDate: end,
      status: "upcoming",
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing();
  const [period] = await tx
    .select()
    .from(billingPeriods)
    .where(
      and(
        eq(billingPeriods.subscriptionId, sub.id),
        eq(billingPeriods.startDate, start),
        sameTenant(billingPeriods, merchant.organizationId, merchant.livemode),
      ),
    );
  if (!period) panic(`billing period of ${sub.id} at ${start.toISOString()} vanished`);
  const existing = await getInvoiceForBillingPeriod(tx, merchant, sub.id, period.id);
  if (existing) return { subscription: sub, period, invoice: existing };

  const { currency, lines } = await renewalLines(tx, merchant, sub, start, usageBilling, now);
  // A discount redeemed at checkout reduces the renewals its duration covers, each counted as it is invoiced.
  const redemption = await lockRunningRedemption(tx, merchant, sub.id);
  const subtotal = sumAmounts(lines.map((line) => multiplyAmount(line.unitPrice, line.quantity)));
  const discount = redemption && {
    amount: discountAmountFor(
      { amountType: redemption.discountAmountType, amount: redemption.discountAmount },
      subtotal,
    ),
    redemptionId: redemption.id,
  };
  if (redemption) await countRedeemedPayment(tx, redemption, now);
  const { invoice } = await createInvoice(
    tx,
    merchant,
    {
      customerId: sub.customerId,
      pricingModelId: sub.pricingModelId,
      type: "subscription",
      currency,
      lines,
      status: "open",
      subscriptionId: sub.id,
      billingPeriodId: period.id,
      dueDate: start,
      discount,
    },
    now,
  );
  return { subscription: sub, period, invoice };
}

/** Step two, outside any transaction: charge the saved card, keyed on the period so a retry never charges twice. */
async function chargeRenewal(
  deps: AppDeps,
  merchant: Merchant,
  prepared: Prepared,
): Promise<(IntentResult & { processor: ProcessorName }) | "no_method" | "nothing_due"> {
  const { subscription: sub, invoice, period } = prepared;
  const due = invoice.total - invoice.amountPaid;
  if (due <= 0 || sub.doNotCharge) return "nothing_due";
  const method = sub.defaultPaymentMethodId
    ? await getPaymentMethod(deps.db, merchant, sub.defaultPaymentMethodId)
    : undefined;
  if (!method) return "no_method";
  try {
    const intent = await chargeSavedCard(deps, merchant, method, {
      amount: due,
      currency: invoice.currency,
      idempotencyKey: `renewal:${period.id}`,
      metadata: { subscriptionId: sub.id, invoiceId: invoice.id },
    });
    return { ...intent, processor: method.processor };
  } catch (err) {
    // The card's processor is no longer connected: the period is owed, as with no card at all.
    if (err instanceof AppError && err.status < 500) return "no_method";
    throw err;
  }
}

/**
 * Step three, in a transaction: record the outcome and move the subscription into the new period. Paid →
 * active; declined or no card → past_due with the invoice left open (an activate_subscription checkout pays
 * it). Re-checked under the row lock, so a second run for the same period changes nothing.
 */
async function settleRenewal(
  deps: AppDeps,
  merchant: Merchant,
  prepared: Prepared,
  outcome: Awaited<ReturnType<typeof chargeRenewal>>,
  now: Date,
) {
  const { period } = prepared;
  return deps.db.transaction(async (tx) => {
    const sub = await lockSubscription(tx, merchant, prepared.subscription.id);
    if (sub.currentBillingPeriodEnd?.getTime() !== period.startDate.getTime()) return sub;
    const paid = outcome === "nothing_due" || (typeof outcome === "object" && outcome.status === "succeeded");
    if (typeof outcome === "object") {
      await recordPayment(
        tx,
        merchant,
        {
          customerId: sub.customerId,
          pricingModelId: sub.pricingModelId,
          amount: outcome.amount,
          currency: outcome.currency,
          status: outcome.status === "succeeded" ? "succeeded" : "failed",
          processor: outcome.processor,
          processorIntentId: outcome.intentId,
          invoiceId: prepared.invoice.id,
          subscriptionId: sub.id,
          billingPeriodId: period.id,
          description: `Subscription renewal (invoice ${prepared.invoice.invoiceNumber})`,
          paymentMethodId: sub.defaultPaymentMethodId ?? undefined,
          failureCode: outcome.failure?.code,
          failureMessage: outcome.failure?.message,
        },
        now,
      );
    }
    const invoice = await getInvoice(tx, merchant, prepared.invoice.id);
    if (paid && invoice?.status === "open") await markInvoicePaid(tx, merchant, prepared.invoice.id, now);
    await tx
      .update(billingPeriods)
      .set({ status: "completed", updatedAt: now })
      .where(
        and(
          eq(billingPeriods.subscriptionId, sub.id),
          sameTenant(billingPeriods, merchant.organizationId, merchant.livemode),
          lte(billingPeriods.endDate, period.startDate),
          inArray(billingPeriods.status, ["active", "upcoming"]),
        ),
      );
    await tx
      .update(billingPeriods)
      .set({ status: paid ? "active" : "past_due", updatedAt: now })
      .where(
        and(
          eq(billingPeriods.id, period.id),
          sameTenant(billingPeriods, merchant.organizationId, merchant.livemode),
        ),
      );
    return applySubscriptionChange(
      tx,
      merchant,
      sub,
      {
        status: paid ? "active" : "past_due",
        currentBillingPeriodStart: period.startDate,
        currentBillingPeriodEnd: period.endDate,
      },
      "subscription.updated",
      now,
    );
  });
}

export async function renewSubscription(
  deps: AppDeps,
  merchant: Merchant,
  id: string,
): Promise<SubscriptionRow | null> {
  // One instant for the whole renewal, so the period, its invoice and the payment settling it agree.
  const now = deps.now();
  const prepared = await deps.db.transaction((tx) =>
    prepareRenewal(tx, merchant, id, deps.usageBilling, now),
  );
  if (!prepared) return null;
  const outcome = await chargeRenewal(deps, merchant, prepared);
  return settleRenewal(deps, merchant, prepared, outcome, now);
}

/**
 * Background job: bills the next period of every subscription whose current period (or trial) has ended,
 * across all merchants. Safe to run from several processes: each renewal is claimed under its row lock and
 * its charge is keyed on the period.
 */
export async function renewDueSubscriptions(deps: AppDeps): Promise<number> {
  const due = await deps.db
    .select({
      id: subscriptions.id,
      organizationId: subscriptions.organizationId,
      livemode: subscriptions.livemode,
    })
    .from(subscriptions)
    .where(
      and(
        // The due index's predicate, as constants: see inConstants.
        inConstants(subscriptions.status, ["active", "trialing"]),
        lte(subscriptions.currentBillingPeriodEnd, deps.now()),
      ),
    )
    .orderBy(asc(subscriptions.currentBillingPeriodEnd))
    .limit(RENEW_BATCH);
  let renewed = 0;
  for (const row of due) {
    const merchant: Merchant = {
      organizationId: row.organizationId,
      livemode: row.livemode,
      apiKeyId: "system",
    };
    try {
      if (await renewSubscription(deps, merchant, row.id)) renewed++;
    } catch (err) {
      // One subscription's failure must not stop the others; it is retried on the next run.
      deps.logger.error({ err, subscriptionId: row.id }, "renewal failed");
    }
  }
  return renewed;
}
