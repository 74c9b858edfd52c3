import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it, vi } from "vitest";
import type { InvoiceDocument } from "../../src/documents/document.js";
import { renderInvoicePdf } from "../../src/documents/render-pdf.js";

/**
 * The PDF is checked the way a reader sees it: poppler extracts its text and rasterises it, so a glyph
 * that failed to embed, a line that fell off the page or a page that was never added shows up as missing
 * text rather than passing because pdf-lib did not throw. The PDFs and PNGs stay in test-artifacts for review.
 */

const ARTIFACTS = resolve("test-artifacts/documents");
mkdirSync(ARTIFACTS, { recursive: true });

function baseDocument(overrides: Partial<InvoiceDocument> = {}): InvoiceDocument {
  return {
    kind: "invoice",
    livemode: true,
    locale: "en-US",
    issuedAt: new Date("2031-03-04T05:06:07.000Z"),
    seller: {
      name: "Acme Anvils Ltd",
      addressLines: ["1 Foundry Lane", "Bristol BS1 4DJ", "United Kingdom"],
      email: "billing@acme.test",
    },
    buyer: {
      name: "Wile E. Coyote",
      email: "wile@desert.test",
      addressLines: ["42 Mesa Road", "Phoenix, AZ 85001"],
    },
    title: "Invoice INV-0001-0003",
    invoiceNumber: "INV-0001-0003",
    facts: [
      { label: "Date of issue", value: "March 4, 2031" },
      { label: "Due date", value: "April 3, 2031" },
      { label: "Payment method", value: "Visa •••• 4242" },
    ],
    lines: [
      { description: "Anvil, standard (50 kg)", quantity: "3", unitPrice: "$120.00", amount: "$360.00" },
      {
        description:
          "Rocket-powered roller skates with the optional long-range fuel tank, the desert-grade wheels and a two-year warranty covering everything except cliffs",
        quantity: "1",
        unitPrice: "$1,499.00",
        amount: "$1,499.00",
      },
      { description: "Bird seed (industrial)", quantity: "12", unitPrice: "$4.50", amount: "$54.00" },
    ],
    totals: [
      { label: "Subtotal", value: "$1,913.00" },
      { label: "Tax (VAT 20%)", value: "$382.60" },
      { label: "Total", value: "$2,295.60", strong: true },
      { label: "Amount due", value: "$2,295.60", strong: true },
    ],
    status: "Open",
    notes: ["Questions? Contact billing@acme.test", "Pay within 30 days by card or bank transfer."],
    ...overrides,
  };
}

/** Writes the PDF and returns its text as `pdftotext -layout` lays it out. */
async function render(
  name: string,
  doc: InvoiceDocument,
): Promise<{ path: string; bytes: Uint8Array; text: string }> {
  const bytes = await renderInvoicePdf(doc);
  const path = join(ARTIFACTS, `${name}.pdf`);
  writeFileSync(path, bytes);
  const text = execFileSync("pdftotext", ["-layout", "-enc", "UTF-8", path, "-"], { encoding: "utf8" });
  return { path, bytes, text };
}

function pageCount(path: string): number {
  const info = execFileSync("pdfinfo", [path], { encoding: "utf8" });
  const match = /^Pages:\s+(\d+)$/m.exec(info);
  if (!match?.[1]) throw new Error(`pdfinfo printed no page count:\n${info}`);
  return Number(match[1]);
}

/** `-layout` pads columns with runs of spaces; a row's cells are compared as whitespace-separated text. */
const squeeze = (s: string) => s.replace(/[ \t]+/g, " ");

describe("renderInvoicePdf", () => {
  it("renders the number, every line, quantities, amounts and totals as extractable text", async () => {
    const doc = baseDocument();
    const { path, text } = await render("invoice", doc);
    const flat = squeeze(text);
    expect(text).toContain("INV-0001-0003");
    expect(flat).toContain("Anvil, standard (50 kg) 3 $120.00 $360.00");
    expect(flat).toContain("Bird seed (industrial) 12 $4.50 $54.00");
    // The long description wraps inside its column: its words survive, spread over several lines.
    expect(flat).toContain("Rocket-powered roller skates");
    expect(flat).toContain("except cliffs");
    expect(flat).toMatch(/Rocket-powered roller skates[^\n]*\$1,499\.00 \$1,499\.00/);
    expect(flat).toContain("Subtotal $1,913.00");
    expect(flat).toContain("Total $2,295.60");
    expect(flat).toContain("Amount due $2,295.60");
    expect(flat).toContain("Bill to");
    expect(flat).toContain("Wile E. Coyote");
    expect(flat).toContain("Visa •••• 4242");
    expect(flat).toContain("Questions? Contact billing@acme.test");
    expect(flat).toContain("Page 1 of 1");
    expect(text).not.toContain("Test mode");
    expect(pageCount(path)).toBe(1);

    const pngPrefix = join(ARTIFACTS, "invoice");
    execFileSync("pdftoppm", ["-png", "-r", "60", "-singlefile", path, pngPrefix]);
    const png = `${pngPrefix}.png`;
    expect(existsSync(png)).toBe(true);
    expect(statSync(png).size).toBeGreaterThan(5_000);
  });

  it("sets the document's metadata from the document, not from the clock", async () => {
    const { path } = await render("metadata", baseDocument({ locale: "de-DE" }));
    const info = execFileSync("pdfinfo", ["-isodates", path], { encoding: "utf8" });
    expect(info).toMatch(/^Title:\s+Invoice INV-0001-0003$/m);
    expect(info).toMatch(/^Author:\s+Acme Anvils Ltd$/m);
    expect(info).toMatch(/^Creator:\s+Glade$/m);
    expect(info).toMatch(/^Producer:\s+Glade$/m);
    expect(info).toMatch(/^CreationDate:\s+2031-03-04T05:06:07Z$/m);
    expect(info).toMatch(/^ModDate:\s+2031-03-04T05:06:07Z$/m);
    expect(info).toMatch(/^Page size:\s+595\.28 x 841\.89 pts \(A4\)$/m);
  });

  it("gives byte-identical output for the same document, and different bytes for a different one", async () => {
    // The two renders see different clocks and different Math.random values: a renderer reading either
    // (pdf-lib's default dates, a random font-name suffix) would differ, which two renders a second apart would not show.
    const first = await renderInvoicePdf(baseDocument());
    vi.useFakeTimers({ now: new Date("2040-06-07T08:09:10.000Z"), toFake: ["Date"] });
    const random = vi.spyOn(Math, "random").mockReturnValue(0.123456);
    try {
      const second = await renderInvoicePdf(baseDocument());
      expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    } finally {
      random.mockRestore();
      vi.useRealTimers();
    }
    const other = await renderInvoicePdf(baseDocument({ issuedAt: new Date("2031-03-05T05:06:07.000Z") }));
    expect(Buffer.from(other).equals(Buffer.from(first))).toBe(false);
  });

  // DejaVu has no CJK glyphs: 東京 must not throw, but it prints as empty boxes (a known limit, no CJK font).
  it("renders names in any script and Intl's narrow no-break spaces", async () => {
    const doc = baseDocument({
      locale: "fr-FR",
      seller: { name: "Zoë Ångström SARL", addressLines: ["ul. Piotrkowska 1", "90-001 Łódź"], email: null },
      buyer: { name: "東京 Trading KK", email: "zoe@example.test", addressLines: ["Αθήνα", "Москва"] },
      lines: [
        { description: "Crème brûlée", quantity: "2", unitPrice: "12,34\u202f€", amount: "24,68\u202f€" },
      ],
      totals: [{ label: "Total", value: "1\u202f234,56\u00a0€", strong: true }],
    });
    const { path, text } = await render("unicode", doc);
    expect(text).toContain("Zoë");
    expect(text).toContain("Ångström");
    expect(text).toContain("Łódź");
    expect(text).toContain("Αθήνα");
    expect(text).toContain("Москва");
    expect(text).toContain("Crème brûlée");
    expect(squeeze(text)).toMatch(/12,34\s€/);
    expect(pageCount(path)).toBe(1);
  });

  it("continues a long table on further pages, header repeated, without losing a line", async () => {
    const lines = Array.from({ length: 120 }, (_, i) => {
      const n = String(i + 1).padStart(3, "0");
      return {
        description: `Widget model W${n}`,
        quantity: String(i + 1),
        unitPrice: "$1.00",
        amount: `$${i + 1}.00`,
      };
    });
    const { path, text } = await render("long", baseDocument({ lines }));
    const pages = pageCount(path);
    expect(pages).toBeGreaterThan(1);
    const flat = squeeze(text);
    for (const line of lines) {
      expect(flat).toContain(`${line.description} ${line.quantity} ${line.unitPrice} ${line.amount}`);
    }
    // pdftotext separates pages with a form feed; every page has the table header and its page number.
    const pageTexts = text.split("\f").filter((p) => p.trim() !== "");
    expect(pageTexts).toHaveLength(pages);
    pageTexts.forEach((page, i) => {
      expect(squeeze(page)).toContain(`Page ${i + 1} of ${pages}`);
    });
    for (const page of pageTexts.slice(0, -1)) {
      expect(squeeze(page)).toMatch(/Description Qty Unit price Amount/);
    }
    expect(flat).toContain("Amount due $2,295.60");
    execFileSync("pdftoppm", [
      "-png",
      "-r",
      "60",
      "-f",
      "2",
      "-l",
      "2",
      "-singlefile",
      path,
      join(ARTIFACTS, "long-page-2"),
    ]);
    expect(readdirSync(ARTIFACTS)).toContain("long-page-2.png");
  });

  it("splits a description taller than a page across pages, and keeps every word and note", async () => {
    const words = Array.from({ length: 900 }, (_, i) => `word${i}`);
    const notes = Array.from({ length: 80 }, (_, i) => `Note number ${i}`);
    const doc = baseDocument({
      lines: [{ description: words.join(" "), quantity: "1", unitPrice: "$1.00", amount: "$1.00" }],
      notes,
    });
    const { path, text } = await render("oversized", doc);
    expect(pageCount(path)).toBeGreaterThan(3);
    const extracted = new Set(text.match(/\bword\d+\b/g));
    expect(words.filter((w) => !extracted.has(w))).toEqual([]);
    const flat = squeeze(text);
    expect(notes.filter((n) => !new RegExp(`${n}$`, "m").test(flat))).toEqual([]);
  });

  it("prints 'Test mode' only when the document is not live", async () => {
    const test = await render("test-mode", baseDocument({ livemode: false, status: "Paid" }));
    expect(test.text).toContain("Test mode");
    const live = await render("live-mode", baseDocument({ livemode: true, status: "Paid" }));
    expect(live.text).not.toContain("Test mode");
  });
});
