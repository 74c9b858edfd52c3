import { renderMessagePage } from "../../web/checkout-page.js";
import type { AppDeps } from "../context/index.js";
import { isCrossSiteForm, setPageSecurityHeaders } from "../http/page-headers.js";
import type { App } from "../http/types.js";

/**
 * Every form the checkout page posts (pay, code, challenge answer, Stripe intent) comes from this server's
 * own pages. One posted from another site, or from a sandboxed or privacy-stripped context (`Origin: null`),
 * could pay with a card on file or probe codes on the customer's behalf: refused before any handler reads it.
 */
export function registerCrossSiteFormGuard(app: App, deps: AppDeps): void {
  app.use("/checkout/:id/*", async (c, next) => {
    if (c.req.method !== "POST" || !isCrossSiteForm(c, deps.config.publicUrl)) return next();
    setPageSecurityHeaders(c);
    return c.html(
      renderMessagePage({
        title: "Checkout not submitted",
        message:
          "This form was sent from another site, so nothing was charged. Open the checkout page itself to pay.",
        link: {
          href: `/checkout/${encodeURIComponent(c.req.param("id") ?? "")}`,
          label: "Go to the checkout page",
        },
        livemode: true,
      }),
      403,
    );
  });
}
