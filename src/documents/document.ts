/**
 * What an invoice or receipt PDF shows, already formatted for the reader's locale (amounts and dates are
 * strings here). Built from the stored invoice by `document-view.ts`; rendered by `render-pdf.ts`. The
 * renderer reads nothing else (no clock, no randomness), so the same document gives the same bytes.
 */
export type InvoiceDocument = {
  kind: "invoice" | "receipt";
  /** "Test mode" is printed on the page when false. */
  livemode: boolean;
  /** BCP 47 tag the strings were formatted for, e.g. "en-US", "de-DE"; set as the PDF's /Lang. */
  locale: string;
  /** The PDF's creation and modification date: when the invoice was issued, never "now". */
  issuedAt: Date;
  seller: { name: string; addressLines: string[]; email: string | null };
  buyer: { name: string | null; email: string; addressLines: string[] };
  /** e.g. "Invoice INV-0001-0003" / "Receipt for invoice INV-0001-0003". */
  title: string;
  invoiceNumber: string;
  /** Label → value pairs under the title, in order: "Date of issue", "Due date", "Date paid", "Payment method". */
  facts: { label: string; value: string }[];
  lines: { description: string; quantity: string; unitPrice: string; amount: string }[];
  /**
   * The rows under the lines, in order, e.g. Subtotal, Discount (SPRING), Tax (VAT 20%), Total, Amount paid,
   * Refunded, Amount due. `strong` rows are set in bold.
   */
  totals: { label: string; value: string; strong?: boolean }[];
  /** A stamp beside the title: "Paid", "Open", "Void", "Refunded", "Partially refunded". */
  status: string;
  /** Short closing lines (e.g. "Questions? Contact billing@acme.test"). */
  notes: string[];
};
