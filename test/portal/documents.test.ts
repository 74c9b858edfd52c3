import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createCustomer, ok, portalWorld, signedIn, testContext } from "../support/index.js";

const ctx = await testContext();
const ARTIFACTS = "test-artifacts/documents";
mkdirSync(ARTIFACTS, { recursive: true });

async function fetchPdf(url: string, headers: Record<string, string> = {}) {
  const res = await ctx.app.request(new URL(url).pathname, { headers });
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    bytes: Buffer.from(await res.arrayBuffer()),
  };
}

/** The PDF's text as poppler reads it, with the layout kept so a row's cells stay on one line. */
function pdfText(bytes: Buffer, name: string): string {
  const path = `${ARTIFACTS}/${name}.pdf`;
  writeFileSync(path, bytes);
  return execFileSync("pdftotext", ["-layout", path, "-"], { encoding: "utf8" });
}

const invoiceOf = async (key: string, id: string) =>
  (await ok(ctx.api("GET", `/api/v1/invoices/${id}`, { key }))).invoice;

describe("invoice and receipt PDFs", () => {
  it("serves the invoice and its receipt at the record's addresses, the same bytes each time", async () => {
    const w = await portalWorld(ctx, { externalId: "doc-buyer" });
    const invoice = await invoiceOf(w.key, w.invoiceId);
    expect(invoice.pdfURL).toMatch(
      new RegExp(`^http://glade\\.test/documents/invoices/${invoice.id}/[0-9A-Za-z]{43}/invoice\\.pdf$`),
    );
    expect(invoice.receiptPdfURL).toBe(invoice.pdfURL.replace(/invoice\.pdf$/, "receipt.pdf"));

    const first = await fetchPdf(invoice.pdfURL);
    expect(first.status).toBe(200);
    expect(first.type).toBe("application/pdf");
    expect(first.bytes.subarray(0, 5).toString()).toBe("%PDF-");
    expect((await fetchPdf(invoice.pdfURL)).bytes.equals(first.bytes)).toBe(true);
    const text = pdfText(first.bytes, "api-invoice");
    // The title wraps in its half of the page: number under the word.
    expect(text).toMatch(new RegExp(`Invoice\\s+${invoice.invoiceNumber}`));
    expect(text).toMatch(/Glade Pro.*\s1\s+\$9\.00\s+\$9\.00/);
    expect(text).toMatch(/Total\s+\$9\.00/);
    expect(text).toContain("Paid");
    expect(text).toContain("Customer doc-buyer");

    const receipt = pdfText((await fetchPdf(invoice.receiptPdfURL)).bytes, "api-receipt");
    expect(receipt).toMatch(new RegExp(`Receipt for\\s+${invoice.invoiceNumber}`));
    expect(receipt).toContain("Visa ending in 4242");
    expect(receipt).toMatch(/Amount paid\s+\$9\.00/);
    execFileSync("pdftoppm", [
      "-png",
      "-r",
      "60",
      "-singlefile",
      `${ARTIFACTS}/api-receipt.pdf`,
      `${ARTIFACTS}/api-receipt`,
    ]);

    // The portal's own download is the same document.
    const visit = await signedIn(ctx, w);
    const fromPortal = await fetchPdf(`http://x/billing/invoices/${invoice.id}/invoice.pdf`, {
      cookie: visit.cookie,
    });
    expect(fromPortal.bytes.equals(first.bytes)).toBe(true);
  });

  it("finds nothing at a wrong or borrowed token, and no receipt before payment", async () => {
    const w = await portalWorld(ctx, { externalId: "doc-probe" });
    const other = await portalWorld(ctx, { externalId: "doc-other" });
    const invoice = await invoiceOf(w.key, w.invoiceId);
    const foreign = await invoiceOf(other.key, other.invoiceId);
    const token = (url: string) => url.split("/").at(-2) ?? "";
    const wrong = [
      invoice.pdfURL.replace(token(invoice.pdfURL), "A".repeat(43)),
      invoice.pdfURL.replace(token(invoice.pdfURL), token(foreign.pdfURL)),
      invoice.pdfURL.replace(token(invoice.pdfURL), `${token(invoice.pdfURL)}x`),
      invoice.pdfURL.replace(invoice.id, foreign.id),
      invoice.pdfURL.replace("invoice.pdf", "secret.pdf"),
    ];
    for (const url of wrong) expect((await fetchPdf(url)).status, url).toBe(404);

    // A customer without a card: the subscription waits, incomplete, on an open invoice.
    await createCustomer(ctx, w.key, "doc-nocard");
    const sub = await ok(
      ctx.api("POST", "/api/v1/subscriptions", {
        key: w.key,
        body: { customerExternalId: "doc-nocard", priceId: w.plusPriceId },
      }),
    );
    expect(sub.subscription.status).toBe("incomplete");
    const open = (await ok(ctx.api("GET", "/api/v1/customers/doc-nocard/billing", { key: w.key })))
      .invoices[0].invoice;
    expect(open.status).toBe("open");
    expect(open.receiptPdfURL).toBeNull();
    expect((await fetchPdf(open.pdfURL.replace("invoice.pdf", "receipt.pdf"))).status).toBe(404);
    const text = pdfText((await fetchPdf(open.pdfURL)).bytes, "api-open-invoice");
    expect(text).toMatch(/Amount due\s+\$29\.00/);
    expect(text).toContain("Open");
  });

  it("writes for the customer's country and shows refunds", async () => {
    const w = await portalWorld(ctx, {
      externalId: "zoe",
      customer: {
        name: "Zoë Müller",
        billingAddress: {
          name: "Zoë Müller",
          address: { country: "DE", line1: "Hauptstraße 1", postal_code: "10115", city: "Berlin" },
        },
      },
    });
    const payment = (await ok(ctx.api("GET", "/api/v1/payments", { key: w.key }))).data[0];
    await ok(
      ctx.api("POST", `/api/v1/payments/${payment.id}/refund`, { key: w.key, body: { partialAmount: 300 } }),
    );
    const invoice = await invoiceOf(w.key, w.invoiceId);
    expect(invoice.status).toBe("partially_refunded");
    const text = pdfText((await fetchPdf(invoice.receiptPdfURL)).bytes, "api-receipt-de");
    expect(text).toContain("Zoë Müller");
    expect(text).toContain("Hauptstraße 1");
    expect(text).toContain("10115 Berlin");
    // German writes the amount first, a comma for the cents, the symbol after.
    expect(text).toMatch(/Total\s+9,00\s\$/);
    expect(text).toMatch(/Refunded\s+−3,00\s\$/);
    expect(text).toContain("Partially refunded");
  });

  it("links the success page's receipt to its PDF", async () => {
    const w = await portalWorld(ctx, { externalId: "doc-success" });
    const invoice = await invoiceOf(w.key, w.invoiceId);
    const sessions = (await ok(ctx.api("GET", "/api/v1/checkout-sessions", { key: w.key }))).data;
    const paid = sessions.find((s: { status: string }) => s.status === "succeeded");
    const page = await ctx.api("GET", `/checkout/${paid.id}/success`);
    expect(page.text).toContain(`href="${invoice.receiptPdfURL}"`);
    expect(page.text).toContain("Download receipt (PDF)");
  });
});
