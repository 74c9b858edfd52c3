import { z } from "zod";

export const MAX_QUANTITY = 100;

/** Why a link cannot be used, shown to the visitor as a page (never a JSON error). */
export type PageProblem = {
  status: 400 | 403 | 404 | 429;
  title: string;
  message: string;
  livemode: boolean;
  /** Where the visitor can go from here: the link's own page, without what was wrong. */
  back?: { href: string; label: string };
};

const Email = z.string().trim().toLowerCase().pipe(z.email()).pipe(z.string().max(254));

export type PurchaseParams = { quantity: number; email: string | undefined };

/**
 * `quantity` (a whole number from 1 to 100, default 1) and `email` (optional prefill) from a link's query or
 * the landing form. Out-of-range values are refused, not clamped: the visitor must not pay for a different
 * quantity than the link said.
 */
export function parsePurchaseParams(
  raw: { quantity?: string | undefined; email?: string | undefined },
  livemode: boolean,
): PurchaseParams | PageProblem {
  let quantity = 1;
  if (raw.quantity !== undefined && raw.quantity !== "") {
    const text = raw.quantity.trim();
    quantity = /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
    if (!(quantity >= 1 && quantity <= MAX_QUANTITY)) {
      return {
        status: 400,
        title: "Invalid quantity",
        message: `The quantity must be a whole number from 1 to ${MAX_QUANTITY}.`,
        livemode,
      };
    }
  }
  let email: string | undefined;
  if (raw.email !== undefined && raw.email.trim() !== "") {
    const parsed = Email.safeParse(raw.email);
    if (!parsed.success) {
      return {
        status: 400,
        title: "Invalid email address",
        message: "The email address in this link is not valid.",
        livemode,
      };
    }
    email = parsed.data;
  }
  return { quantity, email };
}

export function isProblem<T extends object>(value: T | PageProblem): value is PageProblem {
  return "status" in value && "title" in value;
}

/** `?mode=` of the slug links: live unless the link says test. */
export function parseMode(raw: string | undefined): boolean | PageProblem {
  if (raw === undefined || raw === "" || raw === "live") return true;
  if (raw === "test") return false;
  return {
    status: 400,
    title: "Invalid purchase link",
    message: 'The mode in this link must be "live" or "test".',
    livemode: true,
  };
}
