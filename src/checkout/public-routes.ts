import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Context } from "hono";
import { z } from "zod";
import { renderChallengePage, renderCheckoutPage, renderMessagePage } from "../../web/checkout-page.js";
import { COUNTRY_CODES } from "../../web/layout.js";
import { renderReceiptPage } from "../../web/receipt-page.js";
import type { AppDeps } from "../context/index.js";
import { readFormFields } from "../http/form.js";
import { setPageSecurityHeaders } from "../http/page-headers.js";
import type { App } from "../http/types.js";
import { AppError } from "../lib/errors.js";
import { answerChallenge, type ConfirmResult, confirmCheckout, loadSession } from "./confirm.js";
import { expireIfDue } from "./expire.js";
import { buildCheckoutView, successRedirectUrl } from "./page-view.js";
import { buildReceiptView } from "./receipt.js";
import type { CheckoutSessionRow } from "./serialize.js";

const ASSETS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../web/assets");
const ASSETS: Record<string, { body: string; type: string }> = {
  "checkout.css": {
    body: readFileSync(resolve(ASSETS_DIR, "checkout.css"), "utf8"),
    type: "text/css; charset=utf-8",
  },
  "checkout.js": {
    body: readFileSync(resolve(ASSETS_DIR, "checkout.js"), "utf8"),
    type: "text/javascript; charset=utf-8",
  },
};

/** Session ids are long random tokens; anything else is not worth a database round trip. */
const SESSION_ID = /^chckt_session_[0-9A-Za-z]{16,40}$/;

const ConfirmForm = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email("Enter a valid email address."))
    .pipe(z.string().max(254)),
  name: z.string().trim().min(1, "Enter your name.").max(200, "Name is too long."),
  country: z.string().refine((c) => COUNTRY_CODES.has(c), "Choose your billing country."),
  cardNumber: z.string().max(30).optional(),
  cardExpiry: z.string().max(12).optional(),
  cardCvc: z.string().max(6).optional(),
});

function parseExpiry(value: string | undefined): { expMonth: number; expYear: number } | undefined {
  const match = /^\s*(\d{1,2})\s*\/?\s*(\d{2}|\d{4})\s*$/.exec(value ?? "");
  if (!match) return undefined;
  return { expMonth: Number(match[1]), expYear: Number(match[2]) };
}

function notFoundPage(c: Context) {
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

async function sessionOr404(deps: AppDeps, id: string): Promise<CheckoutSessionRow | undefined> {
  if (!SESSION_ID.test(id)) return undefined;
  try {
    return await expireIfDue(deps, await loadSession(deps, id));
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") return undefined;
    throw err;
  }
}

async function renderSession(
  deps: AppDeps,
  c: Context,
  session: CheckoutSessionRow,
  status: 200 | 400 | 402 | 409,
  extra = {},
) {
  setPageSecurityHeaders(c, [session.successUrl, session.cancelUrl]);
  return c.html(renderCheckoutPage(await buildCheckoutView(deps, session, extra)), status);
}

function afterConfirm(
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

export function registerCheckoutPages(app: App, deps: AppDeps): void {
  app.get("/checkout/assets/:file", (c) => {
    const asset = ASSETS[c.req.param("file")];
    if (!asset) return c.notFound();
    c.header("content-type", asset.type);
    c.header("cache-control", "public, max-age=3600");
    c.header("x-content-type-options", "nosniff");
    return c.body(asset.body);
  });

  app.get("/checkout/:id", async (c) => {
    const session = await sessionOr404(deps, c.req.param("id"));
    if (!session) return notFoundPage(c);
    return renderSession(deps, c, session, 200);
  });

  // The session is read here only when the page has to be shown again: a confirm that goes through reads
  // it (with its price) in the statement that claims it.
  app.post("/checkout/:id/confirm", async (c) => {
    const id = c.req.param("id");
    if (!SESSION_ID.test(id)) return notFoundPage(c);
    const raw = await readFormFields(c);
    const text = (key: string) => raw[key];
    const form = { email: text("email") ?? "", name: text("name") ?? "", country: text("country") ?? "" };
    const parsed = ConfirmForm.safeParse({
      ...form,
      cardNumber: text("cardNumber"),
      cardExpiry: text("cardExpiry"),
      cardCvc: text("cardCvc"),
    });
    if (!parsed.success) {
      const session = await sessionOr404(deps, id);
      if (!session) return notFoundPage(c);
      return renderSession(deps, c, session, 400, {
        error: parsed.error.issues[0]?.message ?? "Check your details.",
        ...form,
      });
    }
    const input = parsed.data;
    const expiry = parseExpiry(input.cardExpiry);
    const card =
      input.cardNumber !== undefined && input.cardNumber !== ""
        ? {
            number: input.cardNumber,
            expMonth: expiry?.expMonth ?? 0,
            expYear: expiry?.expYear ?? 0,
            cvc: (input.cardCvc ?? "").trim(),
          }
        : undefined;
    try {
      const result = await confirmCheckout(deps, id, {
        buyer: { email: input.email, name: input.name, country: input.country },
        card,
      });
      return afterConfirm(deps, c, result, form);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      const fresh = await sessionOr404(deps, id);
      if (!fresh) return notFoundPage(c);
      if (fresh.status !== "open") return c.redirect(`/checkout/${id}`, 303);
      return renderSession(deps, c, fresh, 400, { error: err.message, ...form });
    }
  });

  app.get("/checkout/:id/success", async (c) => {
    const session = await sessionOr404(deps, c.req.param("id"));
    if (!session) return notFoundPage(c);
    if (session.status !== "succeeded") return c.redirect(`/checkout/${session.id}`, 303);
    setPageSecurityHeaders(c);
    return c.html(renderReceiptPage(await buildReceiptView(deps, session)));
  });

  app.get("/checkout/:id/challenge", async (c) => {
    const session = await sessionOr404(deps, c.req.param("id"));
    if (!session) return notFoundPage(c);
    if (session.status !== "pending" || !session.processorIntentId)
      return c.redirect(`/checkout/${session.id}`, 303);
    setPageSecurityHeaders(c, [session.successUrl, session.cancelUrl]);
    return c.html(renderChallengePage(await buildCheckoutView(deps, session)));
  });

  app.post("/checkout/:id/challenge", async (c) => {
    const session = await sessionOr404(deps, c.req.param("id"));
    if (!session) return notFoundPage(c);
    const answer = (await readFormFields(c)).outcome;
    if (answer !== "approve" && answer !== "deny")
      return c.redirect(`/checkout/${session.id}/challenge`, 303);
    const outcome = answer;
    try {
      return afterConfirm(deps, c, await answerChallenge(deps, session.id, outcome), {});
    } catch (err) {
      if (err instanceof AppError && err.code === "CONFLICT")
        return c.redirect(`/checkout/${session.id}`, 303);
      throw err;
    }
  });
}
