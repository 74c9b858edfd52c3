import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import fontkit from "@pdf-lib/fontkit";
import { type Color, type PDFDocument, type PDFFont, type PDFPage, rgb } from "pdf-lib";

/** A4 portrait, in PostScript points. */
export const PAGE = { width: 595.28, height: 841.89, margin: 50 } as const;
export const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin;
export const LEFT = PAGE.margin;
export const RIGHT = PAGE.width - PAGE.margin;
export const TOP = PAGE.height - PAGE.margin;
/** Body text stops here; the page footer sits in the bottom margin below it. */
export const BOTTOM = PAGE.margin;

export const INK = rgb(0.12, 0.13, 0.16);
export const MUTED = rgb(0.42, 0.45, 0.5);
export const RULE = rgb(0.84, 0.86, 0.89);

export type Fonts = { regular: PDFFont; bold: PDFFont };

type FontBytes = { regular: Uint8Array; bold: Uint8Array };
let fontBytes: Promise<FontBytes> | undefined;

/**
 * DejaVu covers Latin, Greek, Cyrillic and the currency and space characters Intl emits (U+202F), which the
 * 14 standard PDF fonts (WinAnsi only) cannot encode at all. The 1.4 MB of TTF is read once per process.
 */
function loadFontBytes(): Promise<FontBytes> {
  if (!fontBytes) {
    const dir = join(dirname(createRequire(import.meta.url).resolve("dejavu-fonts-ttf/package.json")), "ttf");
    fontBytes = Promise.all([
      readFile(join(dir, "DejaVuSans.ttf")),
      readFile(join(dir, "DejaVuSans-Bold.ttf")),
    ]).then(([regular, bold]) => ({ regular, bold }));
    // A failed read (e.g. a half-installed node_modules) must not poison every later render.
    fontBytes.catch(() => {
      fontBytes = undefined;
    });
  }
  return fontBytes;
}

/**
 * pdf-lib asks fontkit to parse the whole TTF for every document it embeds it in: about 100 ms of CPU per font,
 * most of a render. The parsed font is only read when a subset is cut from it, so each font is parsed once per
 * process and handed back for the same bytes.
 */
const parsedFonts = new WeakMap<Uint8Array, ReturnType<typeof fontkit.create>>();
const parsedOnce: typeof fontkit = {
  create(data, postscriptName) {
    let font = parsedFonts.get(data);
    if (!font) {
      font = fontkit.create(data, postscriptName);
      parsedFonts.set(data, font);
    }
    return font;
  },
};

/**
 * Subset so a one-page invoice carries only the glyphs it uses (tens of KB, not the whole font). PDF wants a
 * subset's name to start with a six-letter tag; pdf-lib would append a numeric suffix instead, so readers
 * (and pdffonts) would not know it is a subset.
 */
export async function embedFonts(pdf: PDFDocument): Promise<Fonts> {
  const bytes = await loadFontBytes();
  pdf.registerFontkit(parsedOnce);
  const regular = await pdf.embedFont(bytes.regular, { subset: true, customName: "GLADEA+DejaVuSans" });
  const bold = await pdf.embedFont(bytes.bold, { subset: true, customName: "GLADEB+DejaVuSans-Bold" });
  return { regular, bold };
}

/**
 * pdf-lib's drawText treats \n as a line break and some control characters make fontkit emit glyphs that
 * have no width; strings from the database can hold either, so a drawn string never does.
 */
export function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ").trim();
}

/**
 * Greedy word wrap on ordinary spaces only, so the no-break spaces Intl puts inside "1 234,56 €" keep an
 * amount on one line. A word wider than the column (a URL, or CJK text without spaces) is cut between
 * characters rather than overflowing into the next column. Explicit newlines are kept as line breaks.
 */
export function wrapText(text: string, font: PDFFont, size: number, maxWidth: number): string[] {
  const fits = (s: string) => font.widthOfTextAtSize(s, size) <= maxWidth;
  const lines: string[] = [];
  for (const paragraph of text.replace(/\r\n?/g, "\n").split("\n")) {
    let current = "";
    for (const word of oneLine(paragraph).split(/ +/)) {
      if (word === "") continue;
      const candidate = current === "" ? word : `${current} ${word}`;
      if (fits(candidate)) {
        current = candidate;
        continue;
      }
      if (current !== "") lines.push(current);
      current = "";
      for (const char of Array.from(word)) {
        if (current !== "" && !fits(current + char)) {
          lines.push(current);
          current = "";
        }
        current += char;
      }
    }
    lines.push(current);
  }
  return lines;
}

export type TextStyle = { font: PDFFont; size: number; color?: Color };

/** `y` is the top of the line box rather than the baseline, so callers can stack lines by subtracting. */
export function drawLeft(page: PDFPage, text: string, x: number, y: number, style: TextStyle): void {
  page.drawText(text, {
    x,
    y: baseline(y, style.size),
    font: style.font,
    size: style.size,
    color: style.color ?? INK,
  });
}

export function drawRight(page: PDFPage, text: string, right: number, y: number, style: TextStyle): void {
  drawLeft(page, text, right - style.font.widthOfTextAtSize(text, style.size), y, style);
}

/** DejaVu's ascender is ~0.93 em: accents on capitals (Å) then stay inside the line box, below the line above. */
function baseline(top: number, size: number): number {
  return top - size * 0.95;
}

export function rule(
  page: PDFPage,
  y: number,
  from: number = LEFT,
  to: number = RIGHT,
  thickness = 0.6,
): void {
  page.drawLine({ start: { x: from, y }, end: { x: to, y }, thickness, color: RULE });
}

/** Returns the top of the line box below the last line, where the next thing goes. */
export function drawLines(
  page: PDFPage,
  lines: string[],
  x: number,
  y: number,
  style: TextStyle,
  lineHeight: number,
  align: "left" | "right" = "left",
): number {
  let top = y;
  for (const line of lines) {
    if (align === "left") drawLeft(page, line, x, top, style);
    else drawRight(page, line, x, top, style);
    top -= lineHeight;
  }
  return top;
}

/** Returns its width so a second stamp can sit to its left. */
export function drawStamp(
  page: PDFPage,
  text: string,
  right: number,
  y: number,
  font: PDFFont,
  color: Color,
) {
  const size = 9;
  const padX = 7;
  const height = size + 8;
  const width = font.widthOfTextAtSize(text, size) + 2 * padX;
  page.drawRectangle({
    x: right - width,
    y: y - height,
    width,
    height,
    borderColor: color,
    borderWidth: 1,
    color: rgb(1, 1, 1),
  });
  drawLeft(page, text, right - width + padX, y - 3.5, { font, size, color });
  return width;
}
