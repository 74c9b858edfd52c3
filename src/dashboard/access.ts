import { and, eq, gt, isNull } from "drizzle-orm";
import type { Executor } from "../db/client.js";
import { dashboardSessions, dashboardSignInLinks, dashboardUsers } from "../db/schema/index.js";
import { panic } from "../lib/errors.js";
import { newId, randomToken } from "../lib/ids.js";
import { hashSecret } from "../organizations/index.js";
import { dummyHash, hashPassword, verifyPassword } from "./passwords.js";
import {
  type DashboardUser,
  findUserByEmail,
  getMembership,
  listUserOrganizations,
  type Membership,
} from "./users.js";

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export const LINK_TTL_MS = 24 * 60 * 60 * 1000;
/** After this many wrong passwords in a row the account waits; each lock doubles, up to a day. */
export const ACCOUNT_FAILURE_LIMIT = 5;
const FIRST_LOCK_MS = 15 * 60 * 1000;
const MAX_LOCK_MS = 24 * 60 * 60 * 1000;

export type DashboardSession = typeof dashboardSessions.$inferSelect;
export type Visitor = { session: DashboardSession; user: DashboardUser; membership: Membership };

export type PasswordOutcome =
  | { outcome: "ok"; user: DashboardUser }
  | { outcome: "wrong" }
  | { outcome: "locked"; until: Date };

/**
 * Checks a password against the account, counting failures on the account itself (so every process sees them):
 * at the limit the account is locked for a while, whoever tries. An unknown email costs the same hashing.
 */
export async function checkPassword(
  db: Executor,
  email: string,
  password: string,
  now: Date,
): Promise<PasswordOutcome> {
  const user = await findUserByEmail(db, email);
  if (!user?.passwordHash) {
    await verifyPassword(password, await dummyHash());
    return { outcome: "wrong" };
  }
  if (user.lockedUntil && user.lockedUntil > now) return { outcome: "locked", until: user.lockedUntil };
  if (await verifyPassword(password, user.passwordHash)) {
    if (user.failedSignIns > 0 || user.lockedUntil) {
      await db
        .update(dashboardUsers)
        .set({ failedSignIns: 0, lockedUntil: null, updatedAt: now })
        .where(eq(dashboardUsers.id, user.id));
    }
    return { outcome: "ok", user };
  }
  const failures = user.failedSignIns + 1;
  const locks = Math.floor(failures / ACCOUNT_FAILURE_LIMIT);
  const lockedUntil =
    failures % ACCOUNT_FAILURE_LIMIT === 0
      ? new Date(now.getTime() + Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** (locks - 1)))
      : null;
  await db
    .update(dashboardUsers)
    .set({ failedSignIns: failures, ...(lockedUntil ? { lockedUntil } : {}), updatedAt: now })
    .where(eq(dashboardUsers.id, user.id));
  return lockedUntil ? { outcome: "locked", until: lockedUntil } : { outcome: "wrong" };
}

export async function setPassword(db: Executor, userId: string, password: string, now: Date): Promise<void> {
  await db
    .update(dashboardUsers)
    .set({ passwordHash: await hashPassword(password), failedSignIns: 0, lockedUntil: null, updatedAt: now })
    .where(eq(dashboardUsers.id, userId));
}

/** A one-time link that lets the user choose a password and signs them in (new accounts, resets, the demo). */
export async function createSignInLink(
  db: Executor,
  userId: string,
  now: Date,
  ttlMs = LINK_TTL_MS,
): Promise<string> {
  const token = randomToken(43);
  await db.insert(dashboardSignInLinks).values({
    id: newId("dashboardSignInLink"),
    userId,
    tokenHash: hashSecret(token),
    expiresAt: new Date(now.getTime() + ttlMs),
    createdAt: now,
  });
  return token;
}

/** The link's user while it is unused and unexpired; `spend` marks it used in the same statement. */
export async function readSignInLink(
  db: Executor,
  token: string,
  now: Date,
  spend: boolean,
): Promise<DashboardUser | undefined> {
  const live = and(
    eq(dashboardSignInLinks.tokenHash, hashSecret(token)),
    isNull(dashboardSignInLinks.usedAt),
    gt(dashboardSignInLinks.expiresAt, now),
  );
  const [link] = spend
    ? await db.update(dashboardSignInLinks).set({ usedAt: now }).where(live).returning()
    : await db.select().from(dashboardSignInLinks).where(live);
  if (!link) return undefined;
  const [user] = await db.select().from(dashboardUsers).where(eq(dashboardUsers.id, link.userId));
  return user;
}

/** Signs the user in to their first organization (test mode); the secret goes into the cookie only. */
export async function startSession(
  db: Executor,
  user: DashboardUser,
  now: Date,
): Promise<{ secret: string; session: DashboardSession } | undefined> {
  const [first] = await listUserOrganizations(db, user.id);
  if (!first) return undefined;
  const secret = randomToken(43);
  const [session] = await db
    .insert(dashboardSessions)
    .values({
      id: newId("dashboardSession"),
      userId: user.id,
      tokenHash: hashSecret(secret),
      csrfToken: randomToken(32),
      organizationId: first.organizationId,
      livemode: false,
      createdAt: now,
      expiresAt: new Date(now.getTime() + SESSION_TTL_MS),
    })
    .returning();
  return { secret, session: session ?? panic("dashboard session insert returned nothing") };
}

/**
 * The signed-in visitor: a live session, its user, and the user's membership in the session's organization
 * (read on every request, so a removed member or a changed role counts at once).
 */
export async function findVisitor(db: Executor, secret: string, now: Date): Promise<Visitor | undefined> {
  const [session] = await db
    .select()
    .from(dashboardSessions)
    .where(
      and(
        eq(dashboardSessions.tokenHash, hashSecret(secret)),
        isNull(dashboardSessions.revokedAt),
        gt(dashboardSessions.expiresAt, now),
      ),
    );
  if (!session) return undefined;
  const [user, membership] = await Promise.all([
    db.select().from(dashboardUsers).where(eq(dashboardUsers.id, session.userId)),
    getMembership(db, session.userId, session.organizationId),
  ]);
  if (!user[0] || !membership) return undefined;
  return { session, user: user[0], membership };
}

export async function revokeSession(db: Executor, sessionId: string, now: Date): Promise<void> {
  await db
    .update(dashboardSessions)
    .set({ revokedAt: now })
    .where(and(eq(dashboardSessions.id, sessionId), isNull(dashboardSessions.revokedAt)));
}

/** "Sign out everywhere": every session of the user, in every browser and process. */
export async function revokeAllSessions(db: Executor, userId: string, now: Date): Promise<void> {
  await db
    .update(dashboardSessions)
    .set({ revokedAt: now })
    .where(and(eq(dashboardSessions.userId, userId), isNull(dashboardSessions.revokedAt)));
}

/** Switches what the session shows; the organization must be one the user belongs to. */
export async function switchView(
  db: Executor,
  visitor: Visitor,
  view: { organizationId?: string; livemode?: boolean },
): Promise<boolean> {
  const organizationId = view.organizationId ?? visitor.session.organizationId;
  if (!(await getMembership(db, visitor.user.id, organizationId))) return false;
  await db
    .update(dashboardSessions)
    .set({ organizationId, livemode: view.livemode ?? visitor.session.livemode })
    .where(eq(dashboardSessions.id, visitor.session.id));
  return true;
}
