import type { Merchant } from "../context/index.js";
import { type CustomerRow, getCustomerById } from "../customers/index.js";
import type { Executor } from "../db/client.js";
import type { BillingAddress } from "../db/schema/index.js";
import { getRedemption } from "../discounts/index.js";
import { type DocumentKind, type InvoiceRow, listLinesForInvoices } from "../invoices/index.js";
import { panic } from "../lib/errors.js";
import { formatDay, localeForCountry } from "../lib/locale.js";
import { formatAmount } from "../lib/money.js";
import { getOrganization } from "../organizations/index.js";
import { describeCard, getPaymentMethod, listPaymentsForInvoice } from "../payments/index.js";
import type { InvoiceDocument } from "./document.js";

const STATUS_STAMPS: Record<InvoiceRow["status"], string> = {
  draft: "Draft",
  open: "Open",
  paid: "Paid",
  void: "Void",
  uncollectible: "Uncollectible",
  refunded: "Refunded",
  partially_refunded: "Partially refunded",
};

/** "Line 1", "Line 2", "Postal code City", "State", "Country": how an address reads on a letter. */
function addressLines(billing: BillingAddress | null): string[] {
  const a = billing?.address;
  if (!a) return [];
  const cityLine = [a.postal_code, a.city].filter(Boolean).join(" ");
  return [a.line1, a.line2, cityLine, a.state, a.country].filter((l): l is string => Boolean(l));
}

function buyerOf(customer: CustomerRow): InvoiceDocument["buyer"] {
  return {
    name: customer.billingAddress?.name ?? customer.name ?? null,
    email: customer.email,
    addressLines: addressLines(customer.billingAddress),
  };
}

/**
 * The invoice (or its receipt) as a document, read fresh from the records: lines at their prices, the
 * discount, what was paid and refunded. Formatted for the customer's billing country.
 */
export async function buildInvoiceDocument(
  db: Executor,
  merchant: Merchant,
  invoice: InvoiceRow,
  kind: DocumentKind,
): Promise<InvoiceDocument> {
  const [org, customer, lines, payments, redemption] = await Promise.all([
    getOrganization(db, merchant.organizationId),
    getCustomerById(db, merchant, invoice.customerId),
    listLinesForInvoices(db, merchant, [invoice.id]),
    listPaymentsForInvoice(db, merchant, invoice.id),
    invoice.discountRedemptionId ? getRedemption(db, merchant, invoice.discountRedemptionId) : undefined,
  ]);
  if (!org || !customer) panic(`invoice ${invoice.id} has lost its organization or customer`);
  const locale = localeForCountry(customer.billingAddress?.address.country);
  const money = (amount: number) => formatAmount(amount, invoice.currency, locale);
  const day = (d: Date) => formatDay(d, locale);
  const settled = payments.filter((p) => p.status === "succeeded" || p.status === "refunded");
  const refunded = settled.reduce((sum, p) => sum + p.refundedAmount, 0);
  const lastPayment = settled.at(-1);
  const card = lastPayment?.paymentMethodId
    ? await getPaymentMethod(db, merchant, lastPayment.paymentMethodId)
    : undefined;

  const facts: InvoiceDocument["facts"] = [];
  facts.push({ label: "Invoice number", value: invoice.invoiceNumber });
  facts.push({ label: "Date of issue", value: day(invoice.invoiceDate) });
  if (kind === "invoice" && invoice.dueDate) facts.push({ label: "Date due", value: day(invoice.dueDate) });
  if (invoice.paidAt) facts.push({ label: "Date paid", value: day(invoice.paidAt) });
  if (card) facts.push({ label: "Payment method", value: describeCard(card) });

  const totals: InvoiceDocument["totals"] = [{ label: "Subtotal", value: money(invoice.subtotal) }];
  if (invoice.discountAmount > 0) {
    const code = redemption ? ` (${redemption.discountCode})` : "";
    totals.push({ label: `Discount${code}`, value: `−${money(invoice.discountAmount)}` });
  }
  totals.push({ label: "Total", value: money(invoice.total), strong: true });
  totals.push({ label: "Amount paid", value: money(invoice.amountPaid) });
  if (refunded > 0) totals.push({ label: "Refunded", value: `−${money(refunded)}` });
  const due = invoice.total - invoice.amountPaid;
  if (kind === "invoice" && due > 0 && invoice.status === "open") {
    totals.push({ label: "Amount due", value: money(due), strong: true });
  }

  return {
    kind,
    livemode: invoice.livemode,
    locale,
    issuedAt: kind === "receipt" ? (invoice.paidAt ?? invoice.invoiceDate) : invoice.invoiceDate,
    seller: { name: org.name, addressLines: org.addressLines, email: org.supportEmail },
    buyer: buyerOf(customer),
    title: kind === "invoice" ? `Invoice ${invoice.invoiceNumber}` : `Receipt for ${invoice.invoiceNumber}`,
    invoiceNumber: invoice.invoiceNumber,
    facts,
    lines: lines.map((line) => ({
      description: line.description,
      quantity: line.quantity.toLocaleString(locale),
      unitPrice: money(line.unitPrice),
      amount: money(line.amount),
    })),
    totals,
    status: STATUS_STAMPS[invoice.status],
    notes: org.supportEmail ? [`Questions? Contact ${org.supportEmail}.`] : [],
  };
}

/** `invoice-INV-0001-0003.pdf`: a file name any mail client and file system accepts. */
export function documentFilename(invoice: InvoiceRow, kind: DocumentKind): string {
  return `${kind}-${invoice.invoiceNumber.replace(/[^A-Za-z0-9._-]/g, "_")}.pdf`;
}
