import type { CardDetails, CardInput } from "../context/index.js";
import { AppError } from "../lib/errors.js";

export function luhnValid(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export function cardBrand(digits: string): string {
  if (/^4/.test(digits)) return "visa";
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(digits)) return "mastercard";
  if (/^3[47]/.test(digits)) return "amex";
  if (/^(6011|65|64[4-9])/.test(digits)) return "discover";
  return "unknown";
}

/** The hosted form's card fields, as an issue's path names them. */
export type CardField = "cardNumber" | "cardExpiry" | "cardCvc";

/**
 * Checks what can be checked without a processor: digits, Luhn, expiry, CVC shape; every problem at once,
 * each naming its field, so the page can show them all next to their fields. Messages are safe to show on
 * the page and never echo the number.
 */
export function cardIssues(
  raw: { number: string; expMonth: number; expYear: number; cvc: string },
  now: Date,
): { path: [CardField]; message: string }[] {
  const issues: { path: [CardField]; message: string }[] = [];
  const number = raw.number.replace(/[\s-]/g, "");
  if (!/^\d{12,19}$/.test(number) || !luhnValid(number))
    issues.push({ path: ["cardNumber"], message: "Your card number is invalid." });
  const expYear = raw.expYear < 100 ? 2000 + raw.expYear : raw.expYear;
  if (!Number.isInteger(raw.expMonth) || raw.expMonth < 1 || raw.expMonth > 12) {
    issues.push({ path: ["cardExpiry"], message: "Your card's expiration month is invalid." });
  } else {
    const endOfExpiry = Date.UTC(expYear, raw.expMonth, 1);
    if (!Number.isInteger(expYear) || endOfExpiry <= now.getTime() || expYear > now.getUTCFullYear() + 50)
      issues.push({
        path: ["cardExpiry"],
        message: "Your card's expiration date is invalid or in the past.",
      });
  }
  const cvcLength = cardBrand(number) === "amex" ? 4 : 3;
  if (!new RegExp(`^\\d{${cvcLength}}$`).test(raw.cvc))
    issues.push({ path: ["cardCvc"], message: "Your card's security code is invalid." });
  return issues;
}

/** An invalid card never reaches the processor: refused with every problem found (see `cardIssues`). */
export function validateCard(
  raw: { number: string; expMonth: number; expYear: number; cvc: string },
  now: Date,
): CardInput {
  const issues = cardIssues(raw, now);
  const first = issues[0];
  if (first) throw new AppError("BAD_REQUEST", first.message, { issues });
  const expYear = raw.expYear < 100 ? 2000 + raw.expYear : raw.expYear;
  return { number: raw.number.replace(/[\s-]/g, ""), expMonth: raw.expMonth, expYear, cvc: raw.cvc };
}

export function cardDetails(card: CardInput): CardDetails {
  return {
    brand: cardBrand(card.number),
    last4: card.number.slice(-4),
    expMonth: card.expMonth,
    expYear: card.expYear,
  };
}

const BRAND_NAMES: Record<string, string> = {
  visa: "Visa",
  mastercard: "Mastercard",
  amex: "American Express",
  discover: "Discover",
};

/** "Visa ending in 4242": how receipts, documents and the billing portal name a saved card. */
export function describeCard(card: { brand: string; last4: string }): string {
  return `${BRAND_NAMES[card.brand] ?? "Card"} ending in ${card.last4}`;
}
