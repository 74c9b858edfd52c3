import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { renderPurchaseLandingPage, renderPurchaseProblemPage } from "../../web/purchase-page.js";
import type { AppDeps } from "../context/index.js";
import { readFormFields } from "../http/form.js";
import { isCrossSiteForm, setPageSecurityHeaders } from "../http/page-headers.js";
import {
  clientAddress,
  createRateLimiter,
  PURCHASE_RATE_LIMIT,
  type RateLimitOptions,
} from "../http/rate-limit.js";
import type { App } from "../http/types.js";
import { AppError } from "../lib/errors.js";
import { isProblem, type PageProblem, parseMode, parsePurchaseParams } from "./params.js";
import { type LinkTarget, resolveOffer } from "./resolve-offer.js";
import { findReusableSession, startPurchaseSession } from "./start-session.js";
import { buildLandingView } from "./view.js";

/** One cookie per price, sent only to that price's link: it names the browser's open session for it. */
export const purchaseCookieName = (priceId: string) => `glade_purchase_${priceId}`;

function problemPage(c: Context, problem: PageProblem, retryAfterSeconds?: number) {
  setPageSecurityHeaders(c);
  if (retryAfterSeconds !== undefined) c.header("retry-after", String(retryAfterSeconds));
  return c.html(
    renderPurchaseProblemPage({
      title: problem.title,
      message: problem.message,
      livemode: problem.livemode,
      ...(problem.back ? { back: problem.back } : {}),
    }),
    problem.status,
  );
}

/** The landing page a bad parameter came with, as the link opens it by default (quantity 1). */
function backToLanding(path: string): { href: string; label: string } {
  return { href: path, label: "Back to the purchase page" };
}

function asProblem(err: unknown, livemode: boolean): PageProblem {
  if (!(err instanceof AppError) || err.status >= 500) throw err;
  return { status: 400, title: "This purchase cannot start", message: err.message, livemode };
}

/** Browsers send Origin with every form POST; one from another site means a page elsewhere is posting here. */
export function registerPurchasePageRoutes(
  app: App,
  deps: AppDeps,
  options: { rateLimit?: Partial<RateLimitOptions> } = {},
): void {
  const limiter = createRateLimiter({
    ...PURCHASE_RATE_LIMIT,
    now: () => deps.now().getTime(),
    ...options.rateLimit,
  });
  const secureCookie = deps.config.publicUrl.startsWith("https:");

  async function landing(c: Context, target: LinkTarget) {
    const offer = await resolveOffer(deps, target);
    if (isProblem(offer)) return problemPage(c, offer);
    const livemode = offer.merchant.livemode;
    const params = parsePurchaseParams(
      { quantity: c.req.query("quantity"), email: c.req.query("email") },
      livemode,
    );
    if (isProblem(params)) return problemPage(c, { ...params, back: backToLanding(c.req.path) });
    let view: ReturnType<typeof buildLandingView>;
    try {
      view = buildLandingView(offer, params.quantity, params.email);
    } catch (err) {
      return problemPage(c, asProblem(err, livemode));
    }
    setPageSecurityHeaders(c);
    return c.html(renderPurchaseLandingPage(view));
  }

  function slugTarget(c: Context, kind: "priceSlug" | "productSlug"): LinkTarget | PageProblem {
    const livemode = parseMode(c.req.query("mode"));
    if (typeof livemode !== "boolean") return livemode;
    return {
      kind,
      organizationId: c.req.param("organizationId") ?? "",
      livemode,
      slug: c.req.param("slug") ?? "",
    };
  }

  app.get("/price/:priceId/purchase", (c) => landing(c, { kind: "price", priceId: c.req.param("priceId") }));
  app.get("/product/:productId/purchase", (c) =>
    landing(c, { kind: "product", productId: c.req.param("productId") }),
  );
  app.get("/o/:organizationId/price/:slug/purchase", (c) => {
    const target = slugTarget(c, "priceSlug");
    return "status" in target ? problemPage(c, target) : landing(c, target);
  });
  app.get("/o/:organizationId/product/:slug/purchase", (c) => {
    const target = slugTarget(c, "productSlug");
    return "status" in target ? problemPage(c, target) : landing(c, target);
  });

  // Every landing page posts here, whichever link form it was opened with.
  app.post("/price/:priceId/purchase", async (c) => {
    if (isCrossSiteForm(c, deps.config.publicUrl)) {
      return problemPage(c, {
        status: 403,
        title: "Checkout not started",
        message: "Open the purchase link itself to start a checkout.",
        livemode: true,
      });
    }
    const offer = await resolveOffer(deps, { kind: "price", priceId: c.req.param("priceId") });
    if (isProblem(offer)) return problemPage(c, offer);
    const livemode = offer.merchant.livemode;
    const form = await readFormFields(c);
    const text = (key: string) => form[key];
    const params = parsePurchaseParams({ quantity: text("quantity"), email: text("email") }, livemode);
    if (isProblem(params)) return problemPage(c, { ...params, back: backToLanding(c.req.path) });

    const cookieName = purchaseCookieName(offer.price.id);
    const reusable = await findReusableSession(deps, offer, params.quantity, getCookie(c, cookieName));
    if (reusable) {
      setPageSecurityHeaders(c);
      return c.redirect(`/checkout/${reusable.id}`, 303);
    }
    const decision = limiter.take(clientAddress(c));
    if (!decision.allowed) {
      return problemPage(
        c,
        {
          status: 429,
          title: "Too many checkouts",
          message: "Too many checkouts were started from your network. Wait a few minutes and try again.",
          livemode,
        },
        decision.retryAfterSeconds,
      );
    }
    let session: Awaited<ReturnType<typeof startPurchaseSession>>;
    try {
      session = await startPurchaseSession(deps, offer, params);
    } catch (err) {
      return problemPage(c, asProblem(err, livemode));
    }
    setCookie(c, cookieName, session.id, {
      httpOnly: true,
      sameSite: "Lax",
      secure: secureCookie,
      path: `/price/${offer.price.id}/purchase`,
      expires: session.expiresAt,
    });
    setPageSecurityHeaders(c);
    return c.redirect(`/checkout/${session.id}`, 303);
  });
}
