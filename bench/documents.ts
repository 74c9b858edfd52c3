/**
 * Invoice PDF benchmark: `npx tsx bench/documents.ts [--renders 200] [--lines 5] [--rounds 3]`
 *
 * Times Glade's renderer (`renderInvoicePdf`: DejaVu Sans subset embedded, A4 layout, metadata) on one invoice,
 * in rounds interleaved with a bare pdf-lib document of the same text in the built-in Helvetica (no font to
 * embed, no layout) in the same process: the ratio says what the embedded Unicode font and the layout cost.
 * CPU only: no database, no HTTP.
 */
import { performance } from "node:perf_hooks";
import { PDFDocument, StandardFonts } from "pdf-lib";
import type { InvoiceDocument } from "../src/documents/index.js";
import { renderInvoicePdf } from "../src/documents/render-pdf.js";
import { scriptArg } from "./lib/options.js";

const RENDERS = scriptArg("--renders", 200);
const LINES = scriptArg("--lines", 5);
const ROUNDS = scriptArg("--rounds", 3);

const doc: InvoiceDocument = {
  kind: "invoice",
  livemode: true,
  locale: "de-DE",
  issuedAt: new Date("2026-12-04T00:00:00Z"),
  seller: {
    name: "Glade Demo Store",
    addressLines: ["1 Demo Street", "Springfield"],
    email: "billing@demo.test",
  },
  buyer: {
    name: "Zoë Müller",
    email: "zoe@example.com",
    addressLines: ["Hauptstraße 1", "10115 Berlin", "DE"],
  },
  title: "Invoice 5A126678-0001",
  invoiceNumber: "5A126678-0001",
  facts: [
    { label: "Date of issue", value: "04.12.2026" },
    { label: "Date paid", value: "04.12.2026" },
  ],
  lines: Array.from({ length: LINES }, (_, i) => ({
    description: `Glade Pro seat ${i + 1}`,
    quantity: "1",
    unitPrice: "9,00 $",
    amount: "9,00 $",
  })),
  totals: [
    { label: "Subtotal", value: `${9 * LINES},00 $` },
    { label: "Total", value: `${9 * LINES},00 $`, strong: true },
  ],
  status: "Paid",
  notes: ["Questions? Contact billing@demo.test."],
};

/** The same words on an A4 page in a standard font: what any PDF of this invoice costs at least. */
async function bareDocument(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create({ updateMetadata: false });
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const page = pdf.addPage([595.28, 841.89]);
  const words = [
    doc.seller.name,
    doc.title,
    doc.buyer.email,
    ...doc.lines.map((l) => `${l.description} 9.00`),
  ];
  for (const [i, text] of words.entries()) page.drawText(text, { x: 50, y: 790 - i * 16, size: 10, font });
  return pdf.save();
}

async function time(render: () => Promise<Uint8Array>): Promise<{ ms: number; bytes: number }> {
  let bytes = 0;
  const start = performance.now();
  for (let i = 0; i < RENDERS; i++) bytes = (await render()).length;
  return { ms: (performance.now() - start) / RENDERS, bytes };
}

await renderInvoicePdf(doc);
await bareDocument();
const log = (line: string) => process.stdout.write(`${line}\n`);
log(`invoice PDF, ${LINES} lines, ${RENDERS} renders per round, ${ROUNDS} rounds`);
for (let round = 1; round <= ROUNDS; round++) {
  const bare = await time(bareDocument);
  const glade = await time(() => renderInvoicePdf(doc));
  log(
    `round ${round}: Glade ${glade.ms.toFixed(1)} ms/PDF (${glade.bytes} B), bare pdf-lib ${bare.ms.toFixed(1)} ms/PDF (${bare.bytes} B), Glade at ${((100 * bare.ms) / glade.ms).toFixed(0)} % of bare speed`,
  );
}
log(`rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
