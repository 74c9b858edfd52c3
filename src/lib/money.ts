import { AppError, panic } from "./errors.js";

/** ISO 4217 currencies with no minor unit; amounts are still integers, just not cents. */
const ZERO_DECIMAL = new Set([
  "BIF",
  "CLP",
  "DJF",
  "GNF",
  "JPY",
  "KMF",
  "KRW",
  "MGA",
  "PYG",
  "RWF",
  "UGX",
  "VND",
  "VUV",
  "XAF",
  "XOF",
  "XPF",
]);

export const CURRENCIES = [
  "USD",
  "EUR",
  "GBP",
  "CAD",
  "AUD",
  "NZD",
  "CHF",
  "SEK",
  "NOK",
  "DKK",
  "PLN",
  "CZK",
  "HUF",
  "JPY",
  "KRW",
  "INR",
  "IDR",
  "VND",
  "BRL",
  "MXN",
  "SGD",
  "HKD",
  "ZAR",
  "AED",
  "ILS",
  "TRY",
  "CLP",
] as const;
export type Currency = (typeof CURRENCIES)[number];

/** Largest amount we accept anywhere: it must stay exact in a JS number and in a bigint column. */
export const MAX_AMOUNT = Number.MAX_SAFE_INTEGER;

export function minorUnitDigits(currency: string): number {
  return ZERO_DECIMAL.has(currency.toUpperCase()) ? 0 : 2;
}

/** Integer multiplication that refuses to leave the exact range instead of silently rounding. */
export function multiplyAmount(unitAmount: number, quantity: number): number {
  const total = BigInt(unitAmount) * BigInt(quantity);
  if (total > BigInt(MAX_AMOUNT)) throw new AppError("BAD_REQUEST", "Amount is too large");
  return Number(total);
}

export function sumAmounts(amounts: number[]): number {
  const total = amounts.reduce((acc, a) => acc + BigInt(a), 0n);
  if (total > BigInt(MAX_AMOUNT)) throw new AppError("BAD_REQUEST", "Amount is too large");
  return Number(total);
}

/** `dividend / divisor` rounded up, for a non-negative dividend and a positive divisor: a started unit counts whole. */
export function divideRoundingUp(dividend: number, divisor: number): number {
  if (!Number.isSafeInteger(dividend) || dividend < 0 || !Number.isSafeInteger(divisor) || divisor <= 0) {
    panic(`divideRoundingUp(${dividend}, ${divisor}): not a non-negative integer over a positive one`);
  }
  return Number((BigInt(dividend) + BigInt(divisor) - 1n) / BigInt(divisor));
}

const formatters = new Map<string, Intl.NumberFormat>();

/**
 * Human display only (hosted page, receipts, PDFs); never used for arithmetic. `locale` decides the symbol's
 * place and the separators ("$1,234.50", "1.234,50 €").
 */
export function formatAmount(amount: number, currency: string, locale = "en-US"): string {
  const code = currency.toUpperCase();
  const digits = minorUnitDigits(code);
  // Building an Intl.NumberFormat costs ~40 µs and the page formats several amounts per request.
  const key = `${locale}:${code}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, {
      style: "currency",
      currency: code,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    if (formatters.size > 1_000) formatters.clear();
    formatters.set(key, formatter);
  }
  return formatter.format(digits === 0 ? amount : amount / 10 ** digits);
}
