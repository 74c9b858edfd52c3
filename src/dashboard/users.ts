import { and, asc, desc, eq, lt, or } from "drizzle-orm";
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

/**
 * An organization keeps at least one owner: the last one cannot be demoted or removed. In a transaction the
 * owners' rows stay locked until it ends, so two owners demoting each other at once cannot both pass.
 */
export async function assertNotLastOwner(
  db: Executor,
  organizationId: string,
  userId: string,
): Promise<void> {
  const owners = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.organizationId, organizationId), eq(memberships.role, "owner")))
    .for("update");
  if (owners.length === 1 && owners[0]?.userId === userId)
    throw conflict("An organization needs at least one owner");
}

export type Member = Membership & { email: string; name: string; hasPassword: boolean };

const memberColumns = {
  id: memberships.id,
  userId: memberships.userId,
  organizationId: memberships.organizationId,
  role: memberships.role,
  createdAt: memberships.createdAt,
  updatedAt: memberships.updatedAt,
  email: dashboardUsers.email,
  name: dashboardUsers.name,
  passwordHash: dashboardUsers.passwordHash,
};

function toMember(row: { passwordHash: string | null } & Omit<Member, "hasPassword">): Member {
  const { passwordHash, ...member } = row;
  return { ...member, hasPassword: passwordHash !== null };
}

/** A membership of the organization by its id: another organization's id finds nothing. */
export async function getMember(
  db: Executor,
  organizationId: string,
  id: string,
): Promise<Member | undefined> {
  const [row] = await db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(dashboardUsers, eq(dashboardUsers.id, memberships.userId))
    .where(and(eq(memberships.id, id), eq(memberships.organizationId, organizationId)));
  return row ? toMember(row) : undefined;
}

/** A page of the organization's members, newest first; the cursor is the last membership's id. */
export async function listMembers(
  db: Executor,
  organizationId: string,
  options: { limit: number; after?: Member },
): Promise<{ members: Member[]; next: string | null }> {
  const scope = eq(memberships.organizationId, organizationId);
  const after = options.after;
  const older = after
    ? or(
        lt(memberships.createdAt, after.createdAt),
        and(eq(memberships.createdAt, after.createdAt), lt(memberships.id, after.id)),
      )
    : undefined;
  const rows = await db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(dashboardUsers, eq(dashboardUsers.id, memberships.userId))
    .where(older ? and(scope, older) : scope)
    .orderBy(desc(memberships.createdAt), desc(memberships.id))
    .limit(options.limit + 1);
  const members = rows.slice(0, options.limit).map(toMember);
  return { members, next: rows.length > options.limit ? (members.at(-1)?.id ?? null) : null };
}

/** Takes the user out of the organization; their sessions there stop at their next request (findVisitor). */
export async function removeMembership(db: Executor, organizationId: string, userId: string): Promise<void> {
  await db
    .delete(memberships)
    .where(and(eq(memberships.organizationId, organizationId), eq(memberships.userId, userId)));
}
