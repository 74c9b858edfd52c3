import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { renderChallengePage } from "../../web/checkout-page.js";
import { renderReceiptPage } from "../../web/receipt-page.js";
import type { AppDeps } from "../context/index.js";
import { readFormFields } from "../http/form.js";
import { setPageSecurityHeaders } from "../http/page-headers.js";
import { clientAddress } from "../http/rate-limit.js";
import type { App } from "../http/types.js";
import { AppError } from "../lib/errors.js";
import { getOrganizationCached } from "../organizations/index.js";
import { cardIssues } from "../payments/index.js";
import { brandStylesheet } from "./brand.js";
import { takeFlash } from "./checkout-flash.js";
import { answerChallenge, confirmCheckout } from "./confirm.js";
import { buildCheckoutView } from "./page-view.js";
import { createCardAttemptLimiter, tooManyCardAttempts } from "./public-routes-card-attempts.js";
import { registerClientConfirmPages } from "./public-routes-client.js";
import { answerCodeTry, createCodeTryLimiter, registerDiscountPage } from "./public-routes-discount.js";
import { registerCrossSiteFormGuard } from "./public-routes-origin.js";
import {
  afterConfirm,
  backToForm,
  ConfirmForm,
  fieldErrorsOf,
  notFoundPage,
  renderSession,
  SESSION_ID,
  sessionOr404,
} from "./public-routes-responses.js";
import { buildReceiptView } from "./receipt.js";
import { isAppliedCode } from "./session-discount.js";

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
  "favicon.svg": {
    body: readFileSync(resolve(ASSETS_DIR, "favicon.svg"), "utf8"),
    type: "image/svg+xml",
  },
  "stripe-checkout.js": {
    body: readFileSync(resolve(ASSETS_DIR, "stripe-checkout.js"), "utf8"),
    type: "text/javascript; charset=utf-8",
  },
};

/** The card as typed; an expiry that does not read as MM / YY is month 0, which the card check refuses. */
function typedCard(raw: Record<string, string | undefined>) {
  const match = /^\s*(\d{1,2})\s*\/?\s*(\d{2}|\d{4})\s*$/.exec(raw.cardExpiry ?? "");
  return {
    number: raw.cardNumber ?? "",
    expMonth: match ? Number(match[1]) : 0,
    expYear: match ? Number(match[2]) : 0,
    cvc: (raw.cardCvc ?? "").trim(),
  };
}

export function registerCheckoutPages(app: App, deps: AppDeps): void {
  registerCrossSiteFormGuard(app, deps);
  const codeTries = createCodeTryLimiter(deps);
  const cardAttempts = createCardAttemptLimiter(deps);
  registerClientConfirmPages(app, deps, cardAttempts);
  registerDiscountPage(app, deps, codeTries);
  app.get("/checkout/assets/:file", (c) => {
    const asset = ASSETS[c.req.param("file")];
    if (!asset) return c.notFound();
    c.header("content-type", asset.type);
    c.header("cache-control", "public, max-age=3600");
    c.header("x-content-type-options", "nosniff");
    return c.body(asset.body);
  });

  // The colour is in the address, so a page always names the stylesheet of the colour it was rendered with.
  app.get("/checkout/brand/:org/:color{[0-9a-f]{6}\\.css}", async (c) => {
    const org = await getOrganizationCached(deps.db, c.req.param("org"));
    const color = `#${c.req.param("color").slice(0, 6)}`;
    const css = org?.brandColor === color ? brandStylesheet(color) : null;
    if (!css) return c.notFound();
    c.header("content-type", "text/css; charset=utf-8");
    c.header("cache-control", "public, max-age=86400, immutable");
    c.header("x-content-type-options", "nosniff");
    return c.body(css);
  });

  app.get("/checkout/:id", async (c) => {
    const session = await sessionOr404(deps, c.req.param("id"));
    if (!session) return notFoundPage(c);
    c.get("tenantSeen")?.(session.organizationId);
    const flash = takeFlash(c, session.id);
    return renderSession(deps, c, session, 200, flash ?? {});
  });

  // Where a form post lands; a reload or a shared copy of that address shows the page itself.
  app.get("/checkout/:id/confirm", (c) => {
    const id = c.req.param("id");
    if (!SESSION_ID.test(id)) return notFoundPage(c);
    return c.redirect(`/checkout/${id}`, 303);
  });

  // The session is read here only when the page has to be shown again: a confirm that goes through reads
  // it (with its price) in the statement that claims it.
  app.post("/checkout/:id/confirm", async (c) => {
    const id = c.req.param("id");
    if (!SESSION_ID.test(id)) return notFoundPage(c);
    const raw = await readFormFields(c);
    const text = (key: string) => raw[key];
    const typedCode = (text("code") ?? "").trim();
    if (typedCode !== "") {
      // A code in the field that is not the one applied (Enter pressed in the field without the page's
      // script, or typed and never applied): it is tried, and nothing is charged without it.
      const session = await sessionOr404(deps, id);
      if (!session) return notFoundPage(c);
      if (session.status === "open" && !(await isAppliedCode(deps, session, typedCode))) {
        return answerCodeTry(deps, c, codeTries, session, { ...raw, action: "apply" });
      }
    }
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
      // The card's own problems too, so that every field's shows at once.
      const card = text("cardNumber") !== undefined ? cardIssues(typedCard(raw), deps.now()) : [];
      return backToForm(deps, c, id, { ...fieldErrorsOf([...parsed.error.issues, ...card]), ...form });
    }
    const input = parsed.data;
    const card = input.cardNumber !== undefined && input.cardNumber !== "" ? typedCard(raw) : undefined;
    if (card) {
      const decision = await cardAttempts.take(clientAddress(c));
      if (!decision.allowed) {
        return backToForm(deps, c, id, { fieldErrors: {}, error: tooManyCardAttempts(decision), ...form });
      }
    }
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
      return backToForm(deps, c, id, { ...fieldErrorsOf(err.issues ?? [], err.message), ...form });
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
