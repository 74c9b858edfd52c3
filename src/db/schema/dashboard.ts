import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { timestamptz } from "../columns.js";
import { organizations } from "./organizations.js";

export type DashboardRole = "owner" | "admin" | "viewer";

/** A person who signs in to the merchant dashboard. One account may belong to several organizations. */
export const dashboardUsers = pgTable("dashboard_users", {
  id: text().primaryKey(),
  /** Lower-cased: one account per address whatever the case it is typed in. */
  email: text().notNull().unique(),
  name: text().notNull(),
  /** `scrypt$N$r$p$salt$hash` (base64url); null until the first password is set through a sign-in link. */
  passwordHash: text(),
  /** Failed password attempts since the last success; at the limit the account waits until `lockedUntil`. */
  failedSignIns: integer().notNull().default(0),
  lockedUntil: timestamptz(),
  createdAt: timestamptz().notNull().defaultNow(),
  updatedAt: timestamptz().notNull().defaultNow(),
});

export const memberships = pgTable(
  "memberships",
  {
    id: text().primaryKey(),
    userId: text()
      .notNull()
      .references(() => dashboardUsers.id),
    organizationId: text()
      .notNull()
      .references(() => organizations.id),
    role: text().$type<DashboardRole>().notNull(),
    createdAt: timestamptz().notNull().defaultNow(),
    updatedAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [uniqueIndex().on(t.userId, t.organizationId), index().on(t.organizationId)],
);

/** A signed-in browser: the cookie holds a secret whose hash is `tokenHash`; in the database so processes share it. */
export const dashboardSessions = pgTable(
  "dashboard_sessions",
  {
    id: text().primaryKey(),
    userId: text()
      .notNull()
      .references(() => dashboardUsers.id),
    tokenHash: text().notNull().unique(),
    csrfToken: text().notNull(),
    /** The organization and mode the dashboard shows; switched by the user, checked against memberships. */
    organizationId: text().notNull(),
    livemode: boolean().notNull().default(false),
    createdAt: timestamptz().notNull().defaultNow(),
    expiresAt: timestamptz().notNull(),
    revokedAt: timestamptz(),
  },
  (t) => [index().on(t.userId)],
);

/** A one-time link that signs a user in and asks for a new password (first sign-in, reset, the demo). */
export const dashboardSignInLinks = pgTable("dashboard_sign_in_links", {
  id: text().primaryKey(),
  userId: text()
    .notNull()
    .references(() => dashboardUsers.id),
  tokenHash: text().notNull().unique(),
  expiresAt: timestamptz().notNull(),
  usedAt: timestamptz(),
  createdAt: timestamptz().notNull().defaultNow(),
});

export type AuditActor = { type: "user" | "api_key" | "cli"; id: string; label: string };

/**
 * Who changed what, when: every change made in the dashboard or with an API key. Append-only: a trigger in the
 * migration refuses UPDATE and DELETE.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: text().primaryKey(),
    organizationId: text().notNull(),
    livemode: boolean().notNull(),
    actorType: text().$type<AuditActor["type"]>().notNull(),
    actorId: text().notNull(),
    actorLabel: text().notNull(),
    /** e.g. `payment.refunded`, `api_key.revoked`, `POST /api/v1/products`. */
    action: text().notNull(),
    objectType: text(),
    objectId: text(),
    /** For money-moving and access changes: the record before and after. */
    before: jsonb(),
    after: jsonb(),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [index().on(t.organizationId, t.createdAt)],
);
