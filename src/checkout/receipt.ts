import type { ReceiptView } from "../../web/receipt-page.js";
import { getPriceWithProduct } from "../catalog/index.js";
import type { AppDeps } from "../context/index.js";
import { getRedemption } from "../discounts/index.js";
import { getInvoice, hasReceipt, invoiceDocumentUrl, listLinesForInvoices } from "../invoices/index.js";
import { formatAmount, multiplyAmount } from "../lib/money.js";
import { getOrganizationCached } from "../organizations/index.js";
import { describeCard, getPaymentMethod } from "../payments/index.js";
import { getSubscription } from "../subscriptions/index.js";
import { sessionMerchant } from "./charge-plan.js";
import type { CheckoutSessionRow } from "./serialize.js";

const HEADLINES: Record<CheckoutSessionRow["type"], string> = {
  product: "Thank you for your purchase",
  add_payment_method: "Your card was saved",
  activate_subscription: "Your subscription is active",
};

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * A trial's success page says what was bought and what happens next: the plan, when the trial ends, and
 * the first charge (amount and date) the card on file will pay, before any discount code.
 */
async function trialNotes(deps: AppDeps, session: CheckoutSessionRow, trialEnd: Date): Promise<string[]> {
  const found = session.priceId
    ? await getPriceWithProduct(deps.db, sessionMerchant(session), session.priceId)
    : undefined;
  if (!found) return [`Your free trial runs until ${day(trialEnd)}. Nothing was charged today.`];
  const { price, product } = found;
  const plan = product
    ? price.name
      ? `${product.name} (${price.name})`
      : product.name
    : (price.name ?? "Plan");
  const amount = formatAmount(multiplyAmount(price.unitPrice, session.quantity), price.currency);
  const count = price.intervalCount ?? 1;
  const every =
    count === 1 ? `every ${price.intervalUnit ?? "month"}` : `every ${count} ${price.intervalUnit}s`;
  const discounted = session.discountId ? " before your discount" : "";
  return [
    `Plan: ${plan}${session.quantity > 1 ? ` × ${session.quantity}` : ""}.`,
    `Free trial until ${day(trialEnd)}. Nothing was charged today.`,
    `First charge: ${amount}${discounted} on ${day(trialEnd)}, then ${amount} ${every} until you cancel.`,
  ];
}

/** What a succeeded session's own success page shows; built from the records the session created. */
export async function buildReceiptView(deps: AppDeps, session: CheckoutSessionRow): Promise<ReceiptView> {
  const merchant = sessionMerchant(session);
  const [org, invoice, method, subscription] = await Promise.all([
    getOrganizationCached(deps.db, session.organizationId),
    session.invoiceId ? getInvoice(deps.db, merchant, session.invoiceId) : undefined,
    session.paymentMethodId ? getPaymentMethod(deps.db, merchant, session.paymentMethodId) : undefined,
    session.subscriptionId ? getSubscription(deps.db, merchant, session.subscriptionId) : undefined,
  ]);
  const [lines, redemption] = await Promise.all([
    invoice ? listLinesForInvoices(deps.db, merchant, [invoice.id]) : [],
    invoice?.discountRedemptionId
      ? getRedemption(deps.db, merchant, invoice.discountRedemptionId)
      : undefined,
  ]);
  const notes: string[] = [];
  const trialEnd = subscription?.status === "trialing" ? subscription.trialEnd : null;
  if (trialEnd) {
    notes.push(...(await trialNotes(deps, session, trialEnd)));
  } else if (subscription?.currentBillingPeriodEnd) {
    notes.push(`Your subscription renews on ${day(subscription.currentBillingPeriodEnd)}.`);
  }
  return {
    sessionId: session.id,
    livemode: session.livemode,
    merchantName: org?.name ?? "Merchant",
    headline: HEADLINES[session.type],
    customerEmail: session.customerEmail ?? "",
    card: method
      ? { label: describeCard(method), charged: invoice !== undefined && invoice.amountPaid > 0 }
      : null,
    receipt: invoice
      ? {
          number: invoice.invoiceNumber,
          date: day(invoice.paidAt ?? invoice.invoiceDate),
          lines: lines.map((l) => ({
            description: l.description,
            quantity: l.quantity,
            unit: formatAmount(l.unitPrice, invoice.currency),
            amount: formatAmount(l.amount, invoice.currency),
          })),
          discount:
            invoice.discountAmount > 0 || redemption
              ? {
                  label: `Discount${redemption ? ` (${redemption.discountCode})` : ""}`,
                  subtotal: formatAmount(invoice.subtotal, invoice.currency),
                  amount: `−${formatAmount(invoice.discountAmount, invoice.currency)}`,
                }
              : null,
          total: formatAmount(invoice.total, invoice.currency),
          paid: formatAmount(invoice.amountPaid, invoice.currency),
          pdfUrl: hasReceipt(invoice) ? invoiceDocumentUrl(deps.config.publicUrl, invoice, "receipt") : null,
        }
      : null,
    notes,
    // Sessions that end here have no merchant page to return to (purchase links, the demo).
    continueUrl: null,
  };
}
