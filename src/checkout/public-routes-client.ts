import type { Context } from "hono";
import type { AppDeps } from "../context/index.js";
import { readFormFields } from "../http/form.js";
import { clientAddress } from "../http/rate-limit.js";
import type { SharedRateLimiter } from "../http/shared-rate-limit.js";
import type { App } from "../http/types.js";
import { AppError } from "../lib/errors.js";
import { type ClientAttempt, settleReturn, startClientAttempt } from "./client-attempt.js";
import { successRedirectUrl } from "./page-view.js";
import { tooManyCardAttempts } from "./public-routes-card-attempts.js";
import { BuyerForm, notFoundPage, SESSION_ID } from "./public-routes-responses.js";

/** What the Stripe-mode page's script is told after asking to pay: confirm in the browser, go, or why not. */
function attemptAnswer(deps: AppDeps, c: Context, attempt: ClientAttempt) {
  c.header("cache-control", "no-store");
  const { session } = attempt;
  const returnUrl = `${deps.config.publicUrl}/checkout/${session.id}/return`;
  switch (attempt.kind) {
    case "confirm_in_browser":
      return c.json({ clientSecret: attempt.clientSecret, intentKind: attempt.intentKind, returnUrl });
    case "succeeded":
      return c.json({ redirect: successRedirectUrl(deps, session) });
    case "declined":
      return c.json({ error: attempt.message }, 402);
    default:
      return c.json({ redirect: `/checkout/${session.id}` });
  }
}

/**
 * The two page endpoints of a client-confirmed processor (Stripe): the pay button asks for an intent to
 * confirm in the browser, and the processor sends the customer back to `return`, where the attempt settles.
 */
export function registerClientConfirmPages(app: App, deps: AppDeps, cardAttempts: SharedRateLimiter): void {
  app.post("/checkout/:id/intent", async (c) => {
    const id = c.req.param("id");
    if (!SESSION_ID.test(id)) return c.json({ error: "This checkout link is not valid." }, 404);
    const parsed = BuyerForm.safeParse(await readFormFields(c));
    if (!parsed.success) {
      return c.json({ error: parsed.error.issues[0]?.message ?? "Check your details." }, 400);
    }
    // Each intent is a card about to be tried in the browser: the same budget as the form's card posts.
    const decision = await cardAttempts.take(clientAddress(c));
    if (!decision.allowed) {
      c.header("retry-after", String(decision.retryAfterSeconds));
      return c.json({ error: tooManyCardAttempts(decision) }, 429);
    }
    try {
      return attemptAnswer(deps, c, await startClientAttempt(deps, id, parsed.data));
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      return c.json({ error: err.message }, err.status as 400);
    }
  });

  app.get("/checkout/:id/return", async (c) => {
    const id = c.req.param("id");
    if (!SESSION_ID.test(id)) return notFoundPage(c);
    try {
      const result = await settleReturn(deps, id);
      if (result.kind === "succeeded") return c.redirect(successRedirectUrl(deps, result.session), 303);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      if (err.code === "NOT_FOUND") return notFoundPage(c);
    }
    // Declined, still processing, or nothing in flight: the page shows which (a decline as its error).
    return c.redirect(`/checkout/${id}`, 303);
  });
}
