import { pricePurchaseUrl } from "../catalog/index.js";
import { type CheckoutSessionRow, createCheckoutSession, getCheckoutSession } from "../checkout/index.js";
import type { AppDeps } from "../context/index.js";
import { AppError } from "../lib/errors.js";
import type { Offer } from "./resolve-offer.js";

/** A session that would expire within this long is not worth resuming: the buyer would be cut off mid-form. */
const MIN_REMAINING_MS = 10 * 60 * 1000;

const SESSION_ID = /^chckt_session_[0-9A-Za-z]{16,40}$/;

/** The open session a returning browser may continue, if its cookie names one that still fits this request. */
export async function findReusableSession(
  deps: AppDeps,
  offer: Offer,
  quantity: number,
  cookieSessionId: string | undefined,
): Promise<CheckoutSessionRow | undefined> {
  if (!cookieSessionId || !SESSION_ID.test(cookieSessionId)) return undefined;
  let session: CheckoutSessionRow;
  try {
    session = await getCheckoutSession(deps, offer.merchant, cookieSessionId);
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") return undefined;
    throw err;
  }
  const fits =
    session.status === "open" &&
    session.source === "purchase_page" &&
    session.anonymous &&
    session.priceId === offer.price.id &&
    session.quantity === quantity &&
    session.expiresAt.getTime() - deps.now().getTime() > MIN_REMAINING_MS;
  return fits ? session : undefined;
}

/**
 * A new anonymous product session for a purchase link. It ends on Glade's own success page (there is no
 * merchant site to return to) and "cancel" leads back to the link's landing page.
 */
export async function startPurchaseSession(
  deps: AppDeps,
  offer: Offer,
  params: { quantity: number; email: string | undefined },
): Promise<CheckoutSessionRow> {
  const base = deps.config.publicUrl;
  const landing = pricePurchaseUrl(base, offer.price.id);
  return createCheckoutSession(
    deps,
    offer.merchant,
    {
      type: "product",
      anonymous: true,
      priceId: offer.price.id,
      quantity: params.quantity,
      successUrl: `${base}/checkout/{CHECKOUT_SESSION_ID}/success`,
      cancelUrl: params.quantity === 1 ? landing : `${landing}?quantity=${params.quantity}`,
    },
    { source: "purchase_page", ...(params.email ? { customerEmail: params.email } : {}) },
  );
}
