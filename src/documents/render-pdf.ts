import { PDFDocument, type PDFPage, rgb } from "pdf-lib";
import { panic } from "../lib/errors.js";
import type { InvoiceDocument } from "./document.js";
import {
  BOTTOM,
  CONTENT_WIDTH,
  drawLeft,
  drawLines,
  drawRight,
  drawStamp,
  embedFonts,
  type Fonts,
  INK,
  LEFT,
  MUTED,
  oneLine,
  PAGE,
  RIGHT,
  rule,
  TOP,
  wrapText,
} from "./pdf-layout.js";

/** Where the next block starts; blocks that run out of room move it to a new page. */
type Cursor = { pdf: PDFDocument; fonts: Fonts; page: PDFPage; y: number };

const HALF = CONTENT_WIDTH / 2 - 10;
const SECOND_COLUMN = LEFT + CONTENT_WIDTH / 2 + 10;
const SECTION_GAP = 26;

const STATUS_COLORS: Record<string, ReturnType<typeof rgb>> = {
  paid: rgb(0.09, 0.5, 0.27),
  open: rgb(0.15, 0.39, 0.85),
  refunded: rgb(0.45, 0.3, 0.75),
  "partially refunded": rgb(0.45, 0.3, 0.75),
};
const TEST_MODE_COLOR = rgb(0.85, 0.42, 0);

/**
 * The invoice or receipt as an A4 PDF. Everything that varies between calls in pdf-lib (dates, producer) is
 * set from the document, so the same document always gives the same bytes: a re-download matches the copy
 * that was emailed, and a stored hash can prove it.
 */
export async function renderInvoicePdf(doc: InvoiceDocument): Promise<Uint8Array> {
  if (Number.isNaN(doc.issuedAt.getTime())) panic("InvoiceDocument.issuedAt is an invalid Date");
  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.setTitle(oneLine(doc.title));
  pdf.setAuthor(oneLine(doc.seller.name));
  pdf.setProducer("Glade");
  pdf.setCreator("Glade");
  pdf.setLanguage(doc.locale);
  pdf.setCreationDate(doc.issuedAt);
  pdf.setModificationDate(doc.issuedAt);

  const fonts = await embedFonts(pdf);
  const cursor: Cursor = { pdf, fonts, page: pdf.addPage([PAGE.width, PAGE.height]), y: TOP };
  drawHeader(cursor, doc);
  drawFactsAndBuyer(cursor, doc);
  drawLinesTable(cursor, doc);
  drawTotals(cursor, doc);
  drawNotes(cursor, doc);
  drawFooters(pdf, fonts, doc);
  return pdf.save();
}

function newPage(c: Cursor): void {
  c.page = c.pdf.addPage([PAGE.width, PAGE.height]);
  c.y = TOP;
}

function drawHeader(c: Cursor, doc: InvoiceDocument): void {
  const { page, fonts } = c;
  const small = { font: fonts.regular, size: 9, color: MUTED };
  let left = drawLines(
    page,
    wrapText(doc.seller.name, fonts.bold, 13, HALF),
    LEFT,
    c.y,
    { font: fonts.bold, size: 13 },
    17,
  );
  const sellerLines = [...doc.seller.addressLines, ...(doc.seller.email ? [doc.seller.email] : [])];
  left = drawLines(
    page,
    sellerLines.flatMap((l) => wrapText(l, fonts.regular, 9, HALF)),
    LEFT,
    left - 2,
    small,
    12.5,
  );

  const title = wrapText(doc.title, fonts.bold, 18, HALF);
  let right = drawLines(page, title, RIGHT, c.y, { font: fonts.bold, size: 18 }, 22, "right") - 6;
  const statusColor = STATUS_COLORS[doc.status.trim().toLowerCase()] ?? MUTED;
  const statusWidth = drawStamp(page, oneLine(doc.status), RIGHT, right, fonts.bold, statusColor);
  // Beside the status rather than in the small print, so a test invoice cannot pass for a real one.
  if (!doc.livemode)
    drawStamp(page, "Test mode", RIGHT - statusWidth - 6, right, fonts.bold, TEST_MODE_COLOR);
  right -= 17;
  c.y = Math.min(left, right) - SECTION_GAP;
}

/**
 * The number is printed as a fact even though the title usually holds it: the title is free text and
 * this is the field a bookkeeper looks for. Skipped when the caller already lists it.
 */
function factRows(doc: InvoiceDocument): { label: string; value: string }[] {
  const listed = doc.facts.some((f) => f.value.trim() === doc.invoiceNumber.trim());
  return listed ? doc.facts : [{ label: "Invoice number", value: doc.invoiceNumber }, ...doc.facts];
}

function drawFactsAndBuyer(c: Cursor, doc: InvoiceDocument): void {
  const { page, fonts } = c;
  const size = 9;
  const facts = factRows(doc);
  const labelWidth = Math.min(
    110,
    Math.max(0, ...facts.map((f) => fonts.regular.widthOfTextAtSize(oneLine(f.label), size))),
  );
  const valueX = LEFT + labelWidth + 14;
  let left = c.y;
  for (const fact of facts) {
    const labels = wrapText(fact.label, fonts.regular, size, labelWidth);
    const values = wrapText(fact.value, fonts.regular, size, LEFT + HALF - valueX);
    const labelEnd = drawLines(page, labels, LEFT, left, { font: fonts.regular, size, color: MUTED }, 13);
    const valueEnd = drawLines(page, values, valueX, left, { font: fonts.regular, size }, 13);
    left = Math.min(labelEnd, valueEnd) - 2;
  }

  let right = drawLines(page, ["Bill to"], SECOND_COLUMN, c.y, { font: fonts.bold, size, color: MUTED }, 14);
  const { buyer } = doc;
  if (buyer.name) {
    right = drawLines(
      page,
      wrapText(buyer.name, fonts.bold, 10, HALF),
      SECOND_COLUMN,
      right,
      { font: fonts.bold, size: 10 },
      14,
    );
  }
  const rest = [buyer.email, ...buyer.addressLines].flatMap((l) => wrapText(l, fonts.regular, size, HALF));
  right = drawLines(page, rest, SECOND_COLUMN, right, { font: fonts.regular, size }, 13);
  c.y = Math.min(left, right) - SECTION_GAP;
}

type LineField = keyof InvoiceDocument["lines"][number];
type Column = { field: LineField; label: string; x: number; width: number; align: "left" | "right" };

const GAP = 12;
const QTY_WIDTH = 45;
const MONEY_WIDTH = 90;
const DESCRIPTION_WIDTH = CONTENT_WIDTH - 3 * GAP - QTY_WIDTH - 2 * MONEY_WIDTH;
const COLUMNS: Column[] = [
  { field: "description", label: "Description", x: LEFT, width: DESCRIPTION_WIDTH, align: "left" },
  { field: "quantity", label: "Qty", x: LEFT + DESCRIPTION_WIDTH + GAP, width: QTY_WIDTH, align: "right" },
  {
    field: "unitPrice",
    label: "Unit price",
    x: RIGHT - 2 * MONEY_WIDTH - GAP,
    width: MONEY_WIDTH,
    align: "right",
  },
  { field: "amount", label: "Amount", x: RIGHT - MONEY_WIDTH, width: MONEY_WIDTH, align: "right" },
];
const ROW_SIZE = 9.5;
const ROW_LINE = 13.5;
const ROW_PAD = 5;
const HEADER_HEIGHT = 9 * 1.4 + 2 * ROW_PAD;
/** Text lines a row can have on a page that holds nothing but the repeated header. */
const LINES_PER_PAGE = Math.floor((TOP - HEADER_HEIGHT - 2 * ROW_PAD - BOTTOM) / ROW_LINE);

function drawTableHeader(c: Cursor): void {
  const style = { font: c.fonts.bold, size: 8.5, color: MUTED };
  for (const col of COLUMNS) {
    const x = col.align === "left" ? col.x : col.x + col.width;
    drawLines(c.page, [col.label], x, c.y - ROW_PAD, style, 12, col.align);
  }
  c.y -= HEADER_HEIGHT;
  rule(c.page, c.y, LEFT, RIGHT, 1);
}

function drawLinesTable(c: Cursor, doc: InvoiceDocument): void {
  // A header stranded at the foot of a page with no row under it reads as a broken table.
  if (c.y - HEADER_HEIGHT - 2 * ROW_PAD - ROW_LINE < BOTTOM) newPage(c);
  drawTableHeader(c);
  const style = { font: c.fonts.regular, size: ROW_SIZE };
  for (const line of doc.lines) {
    const cells = COLUMNS.map((col) => wrapText(line[col.field], style.font, ROW_SIZE, col.width));
    const count = Math.max(...cells.map((cell) => cell.length));
    let from = 0;
    while (from < count) {
      const room = Math.floor((c.y - 2 * ROW_PAD - BOTTOM) / ROW_LINE);
      // A row moves whole to the next page; one taller than a page could never do so and is split at once.
      if (room < (count - from > LINES_PER_PAGE ? 1 : count - from)) {
        newPage(c);
        drawTableHeader(c);
        continue;
      }
      const take = Math.min(room, count - from);
      COLUMNS.forEach((col, i) => {
        const part = (cells[i] ?? []).slice(from, from + take);
        const x = col.align === "left" ? col.x : col.x + col.width;
        drawLines(c.page, part, x, c.y - ROW_PAD, style, ROW_LINE, col.align);
      });
      c.y -= take * ROW_LINE + 2 * ROW_PAD;
      rule(c.page, c.y);
      from += take;
    }
  }
}

function drawTotals(c: Cursor, doc: InvoiceDocument): void {
  // Labels end where the unit-price column ends, values where the amounts end, so totals line up with them.
  const labelRight = RIGHT - MONEY_WIDTH - GAP;
  const labelWidth = 200;
  const rows = doc.totals.map((row) => {
    const font = row.strong ? c.fonts.bold : c.fonts.regular;
    const labels = wrapText(row.label, font, ROW_SIZE, labelWidth);
    const values = wrapText(row.value, font, ROW_SIZE, MONEY_WIDTH);
    return { font, labels, values, strong: row.strong === true };
  });
  const height = rows.reduce((sum, r) => sum + Math.max(r.labels.length, r.values.length) * ROW_LINE + 6, 0);
  c.y -= 8;
  // The totals are read as one block; splitting them over a page break invites misreading the amount due.
  if (c.y - height < BOTTOM) newPage(c);
  for (const row of rows) {
    if (row.strong) rule(c.page, c.y, labelRight - labelWidth, RIGHT);
    const style = { font: row.font, size: ROW_SIZE, color: INK };
    const top = c.y - 3;
    const labelEnd = drawLines(c.page, row.labels, labelRight, top, style, ROW_LINE, "right");
    const valueEnd = drawLines(c.page, row.values, RIGHT, top, style, ROW_LINE, "right");
    c.y = Math.min(labelEnd, valueEnd) - 3;
  }
}

/** Anchored to the foot of the last page, where a reader expects contact and payment small print. */
function drawNotes(c: Cursor, doc: InvoiceDocument): void {
  const lines = doc.notes.flatMap((note) => wrapText(note, c.fonts.regular, 8.5, CONTENT_WIDTH));
  if (lines.length === 0) return;
  const lineHeight = 12;
  const height = lines.length * lineHeight + 10;
  if (c.y - SECTION_GAP - height < BOTTOM) newPage(c);
  // Notes taller than a page start at its top and flow on; the anchor would put them above the page.
  rule(c.page, Math.min(c.y, BOTTOM + height));
  let top = Math.min(c.y, BOTTOM + height) - 8;
  const style = { font: c.fonts.regular, size: 8.5, color: MUTED };
  for (const line of lines) {
    if (top - lineHeight < BOTTOM - 4) {
      newPage(c);
      top = c.y;
    }
    drawLeft(c.page, line, LEFT, top, style);
    top -= lineHeight;
  }
  c.y = top;
}

/** Drawn last, once the page count is known. */
function drawFooters(pdf: PDFDocument, fonts: Fonts, doc: InvoiceDocument): void {
  const pages = pdf.getPages();
  const style = { font: fonts.regular, size: 8, color: MUTED };
  const top = BOTTOM - 16;
  pages.forEach((page, i) => {
    drawLeft(page, oneLine(doc.invoiceNumber), LEFT, top, style);
    drawRight(page, `Page ${i + 1} of ${pages.length}`, RIGHT, top, style);
  });
}
