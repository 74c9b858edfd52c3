import type { Context } from "hono";
import { z } from "zod";
import { renderCheckoutPage, renderMessagePage } from "../../web/checkout-page.js";
import { COUNTRY_CODES } from "../../web/layout.js";
import type { CheckoutView } from "../../web/view.js";
import type { AppDeps } from "../context/index.js";
import { type ProcessorSources, setPageSecurityHeaders, stripeSources } from "../http/page-headers.js";
import { AppError } from "../lib/errors.js";
import { declinedField, type FieldErrors, issueField, leaveFlash } from "./checkout-flash.js";
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
  return backToForm(deps, c, result.session.id, {
    fieldErrors: { [declinedField(result.message)]: result.message },
    error: null,
    email: form.email ?? "",
    name: form.name ?? "",
    country: form.country ?? "",
  });
}

/**
 * Each problem on the field its path names; one that names none (or a card refusal without a path) on the
 * card number or as the page's own message.
 */
export function fieldErrorsOf(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  message?: string,
): { fieldErrors: FieldErrors; error: string | null } {
  const fieldErrors: FieldErrors = {};
  for (const issue of issues) {
    const field = issueField(issue.path);
    if (field && !fieldErrors[field]) fieldErrors[field] = issue.message;
  }
  if (issues.length > 0 || message === undefined) return { fieldErrors, error: null };
  if (/card/i.test(message)) return { fieldErrors: { [declinedField(message)]: message }, error: null };
  return { fieldErrors, error: message };
}

/**
 * A failed submit goes back to the page by a redirect (POST → 303 → GET: a reload never submits twice),
 * leaving its problems and what was typed, never card data, for that page alone.
 */
export function backToForm(
  deps: AppDeps,
  c: Context,
  sessionId: string,
  flash: { fieldErrors: FieldErrors; error: string | null; email: string; name: string; country: string },
) {
  const { error, ...rest } = flash;
  leaveFlash(c, sessionId, { ...rest, message: error }, deps.config.publicUrl.startsWith("https://"));
  return c.redirect(`/checkout/${sessionId}`, 303);
}
