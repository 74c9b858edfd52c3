import type { Context } from "hono";
import { renderSummary } from "../../web/checkout-page.js";
import { COUNTRY_CODES } from "../../web/layout.js";
import type { AppDeps } from "../context/index.js";
import { readFormFields } from "../http/form.js";
import { setPageSecurityHeaders } from "../http/page-headers.js";
import { clientAddress, createRateLimiter, type RateLimiter } from "../http/rate-limit.js";
import type { App } from "../http/types.js";
import { AppError } from "../lib/errors.js";
import { buildCheckoutView } from "./page-view.js";
import { notFoundPage, renderSession, sessionOr404 } from "./public-routes-responses.js";
import type { CheckoutSessionRow } from "./serialize.js";
import { setSessionDiscountCode } from "./session-discount.js";

/** Discount code tries per client: plenty for a person fixing a typo, too few to guess codes. */
const DISCOUNT_TRIES = { limit: 30, windowMs: 10 * 60 * 1000, maxClients: 10_000 };

export function createCodeTryLimiter(deps: AppDeps): RateLimiter {
  return createRateLimiter({ ...DISCOUNT_TRIES, now: () => deps.now().getTime() });
}

type Fields = Record<string, string | undefined>;

/**
 * What the customer had typed in the pay form, for the page shown again after a code was tried without the
 * page's script. Card fields are never among them: a card number is not echoed into a page.
 */
function typedDetails(fields: Fields): { email?: string; name?: string; country?: string } {
  const details: { email?: string; name?: string; country?: string } = {};
  if (fields.email !== undefined) details.email = fields.email.trim().slice(0, 254);
  if (fields.name !== undefined) details.name = fields.name.trim().slice(0, 200);
  if (fields.country !== undefined && COUNTRY_CODES.has(fields.country)) details.country = fields.country;
  return details;
}

/**
 * A code tried on the hosted page (or removed): the session takes it, or refuses it and drops any earlier
 * one (as Flowglad does, so what is shown is what is charged). The page's script asks for JSON and swaps the
 * summary in; without it, the whole page comes back with what the customer typed.
 */
export async function answerCodeTry(
  deps: AppDeps,
  c: Context,
  limiter: RateLimiter,
  session: CheckoutSessionRow,
  fields: Fields,
) {
  const remove = fields.action === "remove";
  const code = (fields.code ?? "").trim().slice(0, 50);
  let message: string;
  let failed = false;
  let conflict = false;
  let current = session;
  if (!remove && !limiter.take(clientAddress(c)).allowed) {
    message = "Too many codes were tried. Wait a few minutes and try again.";
    failed = true;
  } else if (!remove && code === "") {
    message = "Enter a discount code.";
    failed = true;
  } else {
    try {
      const changed = await setSessionDiscountCode(deps, session, remove ? null : code);
      current = changed.session;
      message = changed.discount ? `${changed.discount.code} applied.` : "Discount removed.";
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      message = err.message;
      failed = true;
      conflict = err.code === "CONFLICT";
      if (!remove && err.code === "BAD_REQUEST" && session.discountId && session.status === "open") {
        current = await setSessionDiscountCode(deps, session, null).then(
          (cleared) => cleared.session,
          () => session,
        );
      }
    }
  }
  const status = conflict ? 409 : failed ? 400 : 200;
  const shown = {
    discountMessage: message,
    discountFailed: failed,
    ...(failed && !remove ? { discountTyped: code } : {}),
  };
  if (!(c.req.header("accept") ?? "").includes("application/json")) {
    return renderSession(deps, c, current, status, { ...shown, ...typedDetails(fields) });
  }
  const view = await buildCheckoutView(deps, current, shown);
  setPageSecurityHeaders(c, [current.successUrl, current.cancelUrl]);
  const entry = view.cardEntry;
  return c.json(
    {
      ok: !failed,
      message,
      summary: String(await renderSummary(view)),
      buttonLabel: view.buttonLabel,
      collectCard: view.collectCard,
      cardEntry: entry.kind,
      // Stripe's Payment Element is told the new amount (and whether the card is saved) in place.
      payment:
        entry.kind === "stripe"
          ? {
              mode: entry.mode,
              amount: entry.amount,
              currency: entry.currency,
              setupFutureUsage: entry.setupFutureUsage,
            }
          : null,
    },
    status,
  );
}

export function registerDiscountPage(app: App, deps: AppDeps, limiter: RateLimiter): void {
  app.post("/checkout/:id/discount", async (c) => {
    const session = await sessionOr404(deps, c.req.param("id"));
    if (!session) return notFoundPage(c);
    return answerCodeTry(deps, c, limiter, session, await readFormFields(c));
  });
}
