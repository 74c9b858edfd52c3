import type { Context } from "hono";
import { z } from "zod";
import { renderCheckoutPage, renderMessagePage } from "../../web/checkout-page.js";
import { COUNTRY_CODES } from "../../web/layout.js";
import type { CheckoutView } from "../../web/view.js";
import type { AppDeps } from "../context/index.js";
import { type ProcessorSources, setPageSecurityHeaders, stripeSources } from "../http/page-headers.js";
import { AppError } from "../lib/errors.js";
import { type ConfirmResult, loadSession } from "./confirm.js";
import { expireIfDue } from "./expire.js";
import { buildCheckoutView, successRedirectUrl } from "./page-view.js";
import type { CheckoutSessionRow } from "./serialize.js";

// What the hosted pages' handlers share: telling a session id apart, finding the session, answering.

/** Session ids are long random tokens; anything else is not worth a database round trip. */
export const SESSION_ID = /^chckt_session_[0-9A-Za-z]{16,40}$/;

/** Who is paying: the part of the pay form every processor's page posts to Glade. */
export const BuyerForm = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email("Enter a valid email address."))
    .pipe(z.string().max(254)),
  name: z.string().trim().min(1, "Enter your name.").max(200, "Name is too long."),
  country: z.string().refine((c) => COUNTRY_CODES.has(c), "Choose your billing country."),
});

/** The sandbox's page also posts the card (the sandbox stands in for the processor's own fields). */
export const ConfirmForm = BuyerForm.extend({
  cardNumber: z.string().max(30).optional(),
  cardExpiry: z.string().max(12).optional(),
  cardCvc: z.string().max(6).optional(),
});

export function notFoundPage(c: Context) {
  setPageSecurityHeaders(c);
  return c.html(
    renderMessagePage({
      title: "Checkout not found",
      message: "This checkout link is not valid.",
      livemode: true,
    }),
    404,
  );
}

export async function sessionOr404(deps: AppDeps, id: string): Promise<CheckoutSessionRow | undefined> {
  if (!SESSION_ID.test(id)) return undefined;
  try {
    return await expireIfDue(deps, await loadSession(deps, id));
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") return undefined;
    throw err;
  }
}

/** The Stripe-mode page loads Stripe.js: its sources join the policy there, and only there. */
function pageSources(deps: AppDeps, view: CheckoutView): ProcessorSources | undefined {
  if (view.cardEntry.kind !== "stripe" || view.status !== "open") return undefined;
  return stripeSources(view.cardEntry.scriptUrl, deps.config.stripeApiUrl);
}

export async function renderSession(
  deps: AppDeps,
  c: Context,
  session: CheckoutSessionRow,
  status: 200 | 400 | 402 | 409,
  extra = {},
) {
  const view = await buildCheckoutView(deps, session, extra);
  setPageSecurityHeaders(c, [session.successUrl, session.cancelUrl], pageSources(deps, view));
  return c.html(renderCheckoutPage(view), status);
}

export function afterConfirm(
  deps: AppDeps,
  c: Context,
  result: ConfirmResult,
  form: { email?: string; name?: string; country?: string },
) {
  setPageSecurityHeaders(c, [result.session.successUrl, result.session.cancelUrl]);
  if (result.kind === "succeeded") return c.redirect(successRedirectUrl(deps, result.session), 303);
  if (result.kind === "requires_action") return c.redirect(`/checkout/${result.session.id}/challenge`, 303);
  if (result.kind === "in_progress") return c.redirect(`/checkout/${result.session.id}`, 303);
  return renderSession(deps, c, result.session, 402, { error: result.message, ...form });
}
