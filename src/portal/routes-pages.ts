import type { Context } from "hono";
import { type PortalPageView, renderPortalPage } from "../../web/portal-page.js";
import { renderPlanChoicePage, renderPlanConfirmPage } from "../../web/portal-plan-page.js";
import type { AppDeps } from "../context/index.js";
import { getCustomerById } from "../customers/index.js";
import { invoicePdfForCustomer, pdfResponse } from "../documents/index.js";
import { setPageSecurityHeaders } from "../http/page-headers.js";
import type { App } from "../http/types.js";
import { AppError, ERROR_STATUS } from "../lib/errors.js";
import { formatDay } from "../lib/locale.js";
import { getOrganizationCached } from "../organizations/index.js";
import {
  clearFlash,
  type PortalVisitor,
  redeemPortalLink,
  setFlash,
  signOutPortalSession,
} from "./access.js";
import {
  cancelAtPeriodEnd,
  changePlan,
  keepSubscription,
  listPlanOptions,
  previewPlanChange,
  startCardReplacement,
} from "./actions.js";
import { buildPortalOverview } from "./overview.js";
import {
  clearPortalCookie,
  currentVisitor,
  messagePage,
  postingVisitor,
  setPortalCookie,
  signedOutPage,
} from "./routes-visitor.js";

/** Messages a redirect back to the portal may ask for by name; never text from the query string. */
const NOTICES: Record<string, string> = {
  card_saved: "Your new card was saved and will be used from now on.",
};

export function registerPortalPages(app: App, deps: AppDeps): void {
  app.get("/billing/enter/:token", async (c) => {
    const token = c.req.param("token");
    const now = deps.now();
    const redeemed =
      token.length <= 100
        ? await deps.db.transaction((tx) => redeemPortalLink(tx, token, now))
        : { outcome: "unknown" as const };
    if (redeemed.outcome === "signed_in") {
      setPortalCookie(c, deps, redeemed.secret, redeemed.session.expiresAt);
      setPageSecurityHeaders(c);
      return c.redirect("/billing", 303);
    }
    if (redeemed.outcome === "unknown") {
      return messagePage(c, 404, {
        title: "This billing link is not valid",
        message: "Check that the whole link was copied, or open billing again from the store.",
      });
    }
    const org = redeemed.link
      ? await getOrganizationCached(deps.db, redeemed.link.organizationId)
      : undefined;
    return messagePage(c, 410, {
      title:
        redeemed.outcome === "used" ? "This billing link was already used" : "This billing link has expired",
      message:
        "For your security, billing links work once and for a limited time. Open billing again from the store to get a new one.",
      merchantName: org?.name,
      returnUrl: redeemed.link?.returnUrl,
      livemode: redeemed.link?.livemode,
    });
  });

  app.get("/billing", async (c) => {
    const visitor = await currentVisitor(c, deps);
    if (!visitor) return signedOutPage(c);
    const overview = await buildPortalOverview(deps, visitor);
    if (visitor.flash) await clearFlash(deps.db, visitor.sessionId, deps.now());
    const notice = NOTICES[c.req.query("notice") ?? ""];
    const view: PortalPageView = {
      ...overview,
      csrfToken: visitor.csrfToken,
      flash: visitor.flash ?? (notice ? { kind: "ok", text: notice } : null),
    };
    setPageSecurityHeaders(c, [visitor.returnUrl]);
    return c.html(renderPortalPage(view), 200);
  });

  app.post("/billing/sign-out", async (c) => {
    const posted = await postingVisitor(c, deps);
    if (posted instanceof Response) return posted;
    await signOutPortalSession(deps.db, posted.visitor.sessionId, deps.now());
    clearPortalCookie(c, deps);
    const org = await getOrganizationCached(deps.db, posted.visitor.merchant.organizationId);
    return messagePage(c, 200, {
      title: "You are signed out",
      message: "You signed out of billing. Open billing again from the store whenever you need it.",
      merchantName: org?.name,
      returnUrl: posted.visitor.returnUrl,
      livemode: posted.visitor.merchant.livemode,
    });
  });

  subscriptionAction(app, deps, "cancel", async (visitor, id) => {
    await cancelAtPeriodEnd(deps, visitor, id);
    return "Your subscription will end at the close of the current billing period. You can keep it until then.";
  });
  subscriptionAction(app, deps, "uncancel", async (visitor, id) => {
    await keepSubscription(deps, visitor, id);
    return "Your subscription will continue.";
  });

  app.get("/billing/subscriptions/:id/change", async (c) => {
    const visitor = await currentVisitor(c, deps);
    if (!visitor) return signedOutPage(c);
    const id = c.req.param("id");
    const priceId = c.req.query("priceId");
    return answerOr404(c, visitor, async () => {
      const frame = await frameOf(deps, visitor);
      setPageSecurityHeaders(c, [visitor.returnUrl]);
      if (priceId) {
        const preview = await previewPlanChange(deps, visitor, id, priceId);
        const when = formatDay(preview.effectiveDate);
        const outcome =
          preview.timing === "immediately"
            ? preview.chargeNow
              ? `The change takes effect now. Your card will be charged ${preview.chargeNow} for the rest of this billing period.`
              : "The change takes effect now. Nothing is charged today."
            : `The change takes effect on ${when}, at the end of your current billing period. Nothing is charged today.`;
        return c.html(
          renderPlanConfirmPage({
            ...frame,
            subscriptionId: id,
            priceId,
            name: preview.option.name,
            price: preview.option.price,
            outcome,
          }),
          200,
        );
      }
      const { subscription, options } = await listPlanOptions(deps, visitor, id);
      const current = (await buildPortalOverview(deps, visitor)).subscriptions.find(
        (s) => s.id === subscription.id,
      );
      return c.html(
        renderPlanChoicePage({
          ...frame,
          subscriptionId: id,
          currentName: current?.name ?? "your plan",
          currentPrice: current?.price ?? "",
          options,
        }),
        200,
      );
    });
  });

  app.post("/billing/subscriptions/:id/change", async (c) => {
    const posted = await postingVisitor(c, deps);
    if (posted instanceof Response) return posted;
    const { visitor, form } = posted;
    return actOr404(c, deps, visitor, async () => {
      const timing = await changePlan(deps, visitor, c.req.param("id"), form.priceId ?? "");
      return timing === "immediately"
        ? "Your plan was changed."
        : "Your plan will change at the end of the current billing period.";
    });
  });

  app.post("/billing/payment-method", async (c) => {
    const posted = await postingVisitor(c, deps);
    if (posted instanceof Response) return posted;
    const url = await startCardReplacement(deps, posted.visitor);
    setPageSecurityHeaders(c);
    return c.redirect(url, 303);
  });

  for (const kind of ["invoice", "receipt"] as const) {
    app.get(`/billing/invoices/:id/${kind}.pdf`, async (c) => {
      const visitor = await currentVisitor(c, deps);
      if (!visitor) return signedOutPage(c);
      const pdf = await invoicePdfForCustomer(
        deps,
        visitor.merchant,
        visitor.customerId,
        c.req.param("id"),
        kind,
      );
      if (!pdf)
        return messagePage(c, 404, {
          title: "Document not found",
          message: "There is no such document in your billing.",
          livemode: visitor.merchant.livemode,
        });
      return pdfResponse(c, pdf);
    });
  }
}

async function frameOf(deps: AppDeps, visitor: PortalVisitor) {
  const [org, customer] = await Promise.all([
    getOrganizationCached(deps.db, visitor.merchant.organizationId),
    getCustomerById(deps.db, visitor.merchant, visitor.customerId),
  ]);
  return {
    merchantName: org?.name ?? "Merchant",
    customer: { name: customer?.name ?? "", email: customer?.email ?? "" },
    returnUrl: visitor.returnUrl,
    csrfToken: visitor.csrfToken,
    livemode: visitor.merchant.livemode,
  };
}

/** A missing id, or one that is not the visitor's, is the same 404 page: nothing to probe. */
async function answerOr404(
  c: Context,
  visitor: PortalVisitor,
  answer: () => Promise<Response>,
): Promise<Response> {
  try {
    return await answer();
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") {
      return messagePage(c, 404, {
        title: "Not found",
        message: "That is not part of your billing.",
        livemode: visitor.merchant.livemode,
      });
    }
    throw err;
  }
}

/**
 * Runs a portal action and goes back to the portal (POST → 303 → GET), where its outcome is shown once. A
 * refusal the customer can act on (a declined card, a state that changed) is shown the same way.
 */
async function actOr404(
  c: Context,
  deps: AppDeps,
  visitor: PortalVisitor,
  act: () => Promise<string>,
): Promise<Response> {
  return answerOr404(c, visitor, async () => {
    try {
      const text = await act();
      await setFlash(deps.db, visitor.sessionId, { kind: "ok", text }, deps.now());
    } catch (err) {
      if (!(err instanceof AppError) || err.code === "NOT_FOUND" || ERROR_STATUS[err.code] >= 500) throw err;
      await setFlash(deps.db, visitor.sessionId, { kind: "error", text: err.message }, deps.now());
    }
    setPageSecurityHeaders(c);
    return c.redirect("/billing", 303);
  });
}

function subscriptionAction(
  app: App,
  deps: AppDeps,
  verb: "cancel" | "uncancel",
  act: (visitor: PortalVisitor, id: string) => Promise<string>,
): void {
  app.post(`/billing/subscriptions/:id/${verb}`, async (c) => {
    const posted = await postingVisitor(c, deps);
    if (posted instanceof Response) return posted;
    return actOr404(c, deps, posted.visitor, () => act(posted.visitor, c.req.param("id")));
  });
}
