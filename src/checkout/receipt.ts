import type { ReceiptView } from "../../web/receipt-page.js";
import type { AppDeps } from "../context/index.js";
import { getRedemption } from "../discounts/index.js";
import { getInvoice, hasReceipt, invoiceDocumentUrl, listLinesForInvoices } from "../invoices/index.js";
import { formatAmount } from "../lib/money.js";
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
  if (subscription?.status === "trialing" && subscription.trialEnd) {
    notes.push(`Your free trial runs until ${day(subscription.trialEnd)}. Nothing was charged today.`);
  } else if (subscription?.currentBillingPeriodEnd) {
    notes.push(`Your subscription renews on ${day(subscription.currentBillingPeriodEnd)}.`);
  }
  return {
    sessionId: session.id,
    livemode: session.livemode,
    merchantName: org?.name ?? "Merchant",
    headline: HEADLINES[session.type],
    customerEmail: session.customerEmail ?? "",
    card: method ? describeCard(method) : null,
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
