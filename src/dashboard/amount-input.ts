import { MAX_AMOUNT, minorUnitDigits } from "../lib/money.js";

/**
 * An amount typed in the currency's major units ("3.50" USD → 350, "500" JPY → 500): digits only, so nothing
 * goes through floating point. The error is a sentence for the field.
 */
export function parseMajorAmount(text: string, currency: string): { amount: number } | { error: string } {
  const digits = minorUnitDigits(currency);
  const typed = text.trim();
  const match = /^(\d{1,16})(?:\.(\d+))?$/.exec(typed);
  if (!match) {
    return { error: `Enter the amount as a number, like ${digits === 0 ? "500" : "3.50"}.` };
  }
  const fraction = match[2] ?? "";
  if (fraction.length > digits) {
    return {
      error:
        digits === 0
          ? `${currency.toUpperCase()} amounts have no decimal places.`
          : `${currency.toUpperCase()} amounts have at most ${digits} decimal places.`,
    };
  }
  const minor = BigInt(match[1] ?? "0") * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, "0") || "0");
  if (minor === 0n) return { error: "Enter an amount above zero." };
  if (minor > BigInt(MAX_AMOUNT)) return { error: "That amount is too large." };
  return { amount: Number(minor) };
}

/** 350 USD → "3.50": the value a form field starts with. */
export function majorAmountInput(amount: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  if (digits === 0) return String(amount);
  const text = String(amount).padStart(digits + 1, "0");
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}
