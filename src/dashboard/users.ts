import { and, asc, eq } from "drizzle-orm";
import type { Executor } from "../db/client.js";
import { type DashboardRole, dashboardUsers, memberships, organizations } from "../db/schema/index.js";
import { conflict, panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";

export type DashboardUser = typeof dashboardUsers.$inferSelect;
export type Membership = typeof memberships.$inferSelect;
export const ROLES: readonly DashboardRole[] = ["owner", "admin", "viewer"];

export function normalEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function findUserByEmail(db: Executor, email: string): Promise<DashboardUser | undefined> {
  const [user] = await db
    .select()
    .from(dashboardUsers)
    .where(eq(dashboardUsers.email, normalEmail(email)));
  return user;
}

export async function getUser(db: Executor, id: string): Promise<DashboardUser | undefined> {
  const [user] = await db.select().from(dashboardUsers).where(eq(dashboardUsers.id, id));
  return user;
}

/** The account for `email`, created without a password if it is new (it gets one through a sign-in link). */
export async function ensureUser(
  db: Executor,
  input: { email: string; name?: string },
  now: Date,
): Promise<DashboardUser> {
  const email = normalEmail(input.email);
  const [created] = await db
    .insert(dashboardUsers)
    .values({
      id: newId("dashboardUser"),
      email,
      name: input.name?.trim() || email,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing({ target: dashboardUsers.email })
    .returning();
  return created ?? (await findUserByEmail(db, email)) ?? panic(`user ${email} vanished`);
}

/** Gives the user `role` in the organization (a member already there changes role). */
export async function setMembership(
  db: Executor,
  input: { userId: string; organizationId: string; role: DashboardRole },
  now: Date,
): Promise<Membership> {
  const [row] = await db
    .insert(memberships)
    .values({ id: newId("membership"), ...input, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: [memberships.userId, memberships.organizationId],
      set: { role: input.role, updatedAt: now },
    })
    .returning();
  return row ?? panic("membership upsert returned nothing");
}

export async function getMembership(
  db: Executor,
  userId: string,
  organizationId: string,
): Promise<Membership | undefined> {
  const [row] = await db
    .select()
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.organizationId, organizationId)));
  return row;
}

/** The organizations a user belongs to, with their names, oldest membership first. */
export async function listUserOrganizations(db: Executor, userId: string) {
  return db
    .select({ organizationId: memberships.organizationId, role: memberships.role, name: organizations.name })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt), asc(memberships.id));
}

/** An organization keeps at least one owner: the last one cannot be demoted. */
export async function assertNotLastOwner(
  db: Executor,
  organizationId: string,
  userId: string,
): Promise<void> {
  const owners = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.organizationId, organizationId), eq(memberships.role, "owner")));
  if (owners.length === 1 && owners[0]?.userId === userId)
    throw conflict("An organization needs at least one owner");
}
