import { type Column, eq, getTableColumns, type SQL, sql } from "drizzle-orm";
import { type CheckoutBuyer, checkoutBuyerFields, joinCheckoutBuyer } from "../customers/index.js";
import type { Executor } from "../db/client.js";
import { withRegularShape } from "../db/row-shape.js";
import { checkoutSessions } from "../db/schema/index.js";
import { param, statement } from "../db/statement.js";
import { notFound } from "../lib/errors.js";
import { customerHasDefaultCardSql } from "../payments/index.js";
import type { CheckoutSessionRow } from "./serialize.js";
import type { SessionVersion } from "./session-succeeds.js";

/** The session's known customer as they were read with it, with whether they have a default card yet. */
export type SessionBuyer = CheckoutBuyer & { hasDefaultCard: boolean };

/**
 * Everything a successful checkout is settled from: the session as read (with its version) and, for a
 * known customer, who they are and how far their invoice sequence and cards have gone.
 */
export type SessionReading = SessionVersion & { buyer: SessionBuyer | null };

/** Where a statement's session row is: the table itself, or a CTE that updated it. */
type SessionSource = { customerId: Column | SQL; organizationId: Column | SQL; livemode: Column | SQL };

/**
 * The fields a statement selects with the session to read it for settlement (`readingOf` reads them); the
 * statement left-joins the buyer with `joinCheckoutBuyer`.
 */
/** A session's version: its `updated_at` as the exact text Postgres has (a JS Date keeps only milliseconds). */
const versionOf = (updatedAt: Column | SQL) => sql<string>`${updatedAt}::text`;

export function readingFields(source: SessionSource & { updatedAt: Column | SQL }) {
  return {
    version: versionOf(source.updatedAt),
    ...checkoutBuyerFields,
    buyerHasDefaultCard: customerHasDefaultCardSql(source),
  };
}

type ReadingRow = {
  session: CheckoutSessionRow;
  version: string;
  buyer: CheckoutBuyer | null;
  buyerHasDefaultCard: boolean;
};

export function readingOf(row: ReadingRow): SessionReading {
  // Left-joined: Drizzle gives null for a customer that is not there.
  const buyer = row.buyer && { ...row.buyer, hasDefaultCard: row.buyerHasDefaultCard };
  return { session: withRegularShape(row.session), version: row.version, buyer };
}

const sessionWithBuyer = statement("checkout_session_with_buyer", (db) =>
  joinCheckoutBuyer(
    db
      .select({ session: getTableColumns(checkoutSessions), ...readingFields(checkoutSessions) })
      .from(checkoutSessions)
      .where(eq(checkoutSessions.id, param("id")))
      .$dynamic(),
    checkoutSessions,
  ),
);

/** The session and its buyer as they are now, for a settlement that did not come with the claim's reading. */
export async function readSession(db: Executor, sessionId: string): Promise<SessionReading> {
  const [row] = await sessionWithBuyer(db, { id: sessionId });
  if (!row) throw notFound("Checkout session");
  return readingOf(row as ReadingRow);
}

const lockedSessionVersion = statement("checkout_session_version_for_update", (db) =>
  db
    .select({
      session: getTableColumns(checkoutSessions),
      version: versionOf(checkoutSessions.updatedAt),
    })
    .from(checkoutSessions)
    .where(eq(checkoutSessions.id, param("id")))
    .for("update"),
);

/** The session locked for the caller's transaction, with its exact version. Undefined: no such session. */
export async function lockSessionVersion(
  tx: Executor,
  sessionId: string,
): Promise<SessionVersion | undefined> {
  const [row] = await lockedSessionVersion(tx, { id: sessionId });
  return row && { session: withRegularShape(row.session), version: row.version };
}
