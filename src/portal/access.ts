import { and, eq, gt, isNotNull, isNull, lt, or } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { billingPortalLinks, billingPortalSessions, type PortalFlash } from "../db/schema/index.js";
import { panic } from "../lib/errors.js";
import { newId, randomToken } from "../lib/ids.js";
import { hashSecret } from "../organizations/index.js";

/** A link works for an hour unless the merchant asks otherwise; a signed-in visit lasts as long. */
export const LINK_TTL_MS = 60 * 60 * 1000;
export const SESSION_TTL_MS = 60 * 60 * 1000;

export type PortalLink = typeof billingPortalLinks.$inferSelect;
export type PortalSession = typeof billingPortalSessions.$inferSelect;

/** Who a signed-in portal visitor is: one customer of one organization in one mode, nothing wider. */
export type PortalVisitor = {
  sessionId: string;
  merchant: Merchant;
  customerId: string;
  csrfToken: string;
  returnUrl: string | null;
  expiresAt: Date;
  flash: PortalFlash | null;
};

/** A new sign-in link; only its token's hash is stored, the token itself is in the returned path. */
export async function createPortalLink(
  db: Executor,
  merchant: Merchant,
  input: { customerId: string; returnUrl: string | null; expiresAt: Date },
  now: Date,
): Promise<{ link: PortalLink; token: string }> {
  const token = randomToken(43);
  const [link] = await db
    .insert(billingPortalLinks)
    .values({
      id: newId("billingPortalLink"),
      organizationId: merchant.organizationId,
      livemode: merchant.livemode,
      customerId: input.customerId,
      tokenHash: hashSecret(token),
      returnUrl: input.returnUrl,
      expiresAt: input.expiresAt,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return { link: link ?? panic("portal link insert returned nothing"), token };
}

export type Redeemed =
  | { outcome: "signed_in"; secret: string; session: PortalSession }
  | { outcome: "used" | "expired" | "unknown"; link?: PortalLink };

/**
 * Trades a link for a signed-in session, once: the link is marked used by the statement that checks it is
 * unused and unexpired, so two clicks racing give one session. Runs in the caller's transaction with the
 * session insert, so a link is never spent without a session to show for it.
 */
export async function redeemPortalLink(tx: Executor, token: string, now: Date): Promise<Redeemed> {
  const tokenHash = hashSecret(token);
  const [link] = await tx
    .update(billingPortalLinks)
    .set({ usedAt: now, updatedAt: now })
    .where(
      and(
        eq(billingPortalLinks.tokenHash, tokenHash),
        isNull(billingPortalLinks.usedAt),
        gt(billingPortalLinks.expiresAt, now),
      ),
    )
    .returning();
  if (!link) {
    const [seen] = await tx
      .select()
      .from(billingPortalLinks)
      .where(eq(billingPortalLinks.tokenHash, tokenHash));
    if (!seen) return { outcome: "unknown" };
    return { outcome: seen.usedAt ? "used" : "expired", link: seen };
  }
  const secret = randomToken(43);
  const [session] = await tx
    .insert(billingPortalSessions)
    .values({
      id: newId("billingPortalSession"),
      organizationId: link.organizationId,
      livemode: link.livemode,
      customerId: link.customerId,
      tokenHash: hashSecret(secret),
      csrfToken: randomToken(32),
      returnUrl: link.returnUrl,
      expiresAt: new Date(now.getTime() + SESSION_TTL_MS),
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return {
    outcome: "signed_in",
    secret,
    session: session ?? panic("portal session insert returned nothing"),
  };
}

/** The visitor behind a cookie's secret, while the session is neither expired nor signed out. */
export async function findPortalVisitor(
  db: Executor,
  secret: string,
  now: Date,
): Promise<PortalVisitor | undefined> {
  const [row] = await db
    .select()
    .from(billingPortalSessions)
    .where(
      and(
        eq(billingPortalSessions.tokenHash, hashSecret(secret)),
        isNull(billingPortalSessions.signedOutAt),
        gt(billingPortalSessions.expiresAt, now),
      ),
    );
  if (!row) return undefined;
  return {
    sessionId: row.id,
    merchant: { organizationId: row.organizationId, livemode: row.livemode, apiKeyId: `portal:${row.id}` },
    customerId: row.customerId,
    csrfToken: row.csrfToken,
    returnUrl: row.returnUrl,
    expiresAt: row.expiresAt,
    flash: row.flash,
  };
}

/** Leaves a message for the page the action redirects to; `takeFlash` shows it once. */
export async function setFlash(
  db: Executor,
  sessionId: string,
  flash: PortalFlash,
  now: Date,
): Promise<void> {
  await db
    .update(billingPortalSessions)
    .set({ flash, updatedAt: now })
    .where(eq(billingPortalSessions.id, sessionId));
}

export async function clearFlash(db: Executor, sessionId: string, now: Date): Promise<void> {
  await db
    .update(billingPortalSessions)
    .set({ flash: null, updatedAt: now })
    .where(and(eq(billingPortalSessions.id, sessionId), isNotNull(billingPortalSessions.flash)));
}

export async function signOutPortalSession(db: Executor, sessionId: string, now: Date): Promise<void> {
  await db
    .update(billingPortalSessions)
    .set({ signedOutAt: now, updatedAt: now })
    .where(and(eq(billingPortalSessions.id, sessionId), isNull(billingPortalSessions.signedOutAt)));
}

/** Links and sessions past their end are of no use to anyone; the background sweep removes them. */
export async function deleteExpiredPortalAccess(db: Executor, now: Date): Promise<number> {
  const links = await db
    .delete(billingPortalLinks)
    .where(lt(billingPortalLinks.expiresAt, now))
    .returning({ id: billingPortalLinks.id });
  const sessions = await db
    .delete(billingPortalSessions)
    .where(or(lt(billingPortalSessions.expiresAt, now), lt(billingPortalSessions.signedOutAt, now)))
    .returning({ id: billingPortalSessions.id });
  return links.length + sessions.length;
}
