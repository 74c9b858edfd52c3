import type { AppDeps, Merchant } from "../context/index.js";
import { requireCustomerByExternalId } from "../customers/index.js";
import { badRequest } from "../lib/errors.js";
import { checkRedirectUrls } from "../organizations/index.js";
import { createPortalLink, LINK_TTL_MS, type PortalLink } from "./access.js";

/** A link may live from one minute to a day: long enough to be clicked, short enough to be forgotten safely. */
const MIN_TTL_MS = 60 * 1000;
const MAX_TTL_MS = 24 * 60 * 60 * 1000;

export function portalLinkUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/billing/enter/${token}`;
}

export type CreatedPortalLink = { link: PortalLink; url: string };

/**
 * A one-time sign-in link to the customer's billing portal. `returnUrl` obeys the organization's allowed
 * redirect domains, as checkout's success URL does: the portal must not become an open redirect.
 */
export async function createPortalLinkFor(
  deps: AppDeps,
  merchant: Merchant,
  externalId: string,
  input: { returnUrl?: string; expiresAt?: number },
): Promise<CreatedPortalLink> {
  const now = deps.now();
  const customer = await requireCustomerByExternalId(deps.db, merchant, externalId);
  const expiresAt = new Date(input.expiresAt ?? now.getTime() + LINK_TTL_MS);
  const ttl = expiresAt.getTime() - now.getTime();
  if (ttl < MIN_TTL_MS || ttl > MAX_TTL_MS) {
    throw badRequest("expiresAt must be between one minute and 24 hours from now");
  }
  if (input.returnUrl) {
    await checkRedirectUrls(deps.db, merchant.organizationId, deps.config.publicUrl, [input.returnUrl]);
  }
  const { link, token } = await createPortalLink(
    deps.db,
    merchant,
    { customerId: customer.id, returnUrl: input.returnUrl ?? null, expiresAt },
    now,
  );
  return { link, url: portalLinkUrl(deps.config.publicUrl, token) };
}
