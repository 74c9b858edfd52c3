import type { Context } from "hono";
import { renderCheckoutSessionsPage } from "../../web/dashboard/checkout-sessions-page.js";
import { recordAudit } from "../audit/index.js";
import {
  type CheckoutListStatus,
  type CheckoutSessionRow,
  expireCheckoutSession,
  listCheckoutSessionsPage,
  shownStatus,
} from "../checkout/index.js";
import type { AppDeps } from "../context/index.js";
import type { App } from "../http/types.js";
import { AppError } from "../lib/errors.js";
import { multiplyAmount } from "../lib/money.js";
import type { ListQuery } from "../lib/pagination.js";
import type { Visitor } from "./access.js";
import { when } from "./format.js";
import { customerLabels, listOr400, money, notFoundPage, pageQuery, statusParam } from "./records-shared.js";
import {
  canChange,
  frameFor,
  messagePage,
  postingVisitor,
  viewingVisitor,
  visitorActor,
  visitorMerchant,
} from "./routes-visitor.js";

const PATH = "/dashboard/checkout-sessions";
const STATUSES: readonly CheckoutListStatus[] = ["open", "pending", "succeeded", "failed", "expired"];

function amountOf(s: CheckoutSessionRow): string {
  if (s.unitAmount === null || !s.currency) return "—";
  return money(multiplyAmount(s.unitAmount, s.quantity), s.currency);
}

/** The list (also rendered again, 400, when an expire is refused), or a 400 page for a foreign cursor. */
async function sessionsPage(
  c: Context,
  deps: AppDeps,
  visitor: Visitor,
  view: { query: ListQuery; status: CheckoutListStatus | undefined; error?: string },
): Promise<Response> {
  const merchant = visitorMerchant(visitor);
  const now = deps.now();
  const page = await listOr400(c, "Checkout sessions", () =>
    listCheckoutSessionsPage(deps.db, merchant, view.query, now, view.status),
  );
  if (page instanceof Response) return page;
  const customers = await customerLabels(
    deps,
    merchant,
    page.data.map((s) => s.customerId),
  );
  const admin = canChange(visitor);
  const html = renderCheckoutSessionsPage(await frameFor(deps, visitor, PATH), {
    rows: page.data.map((s) => {
      const status = shownStatus(s, now);
      return {
        id: s.id,
        status,
        type: s.type,
        customer:
          (s.customerId ? customers.get(s.customerId) : undefined) ??
          s.customerEmail ??
          (s.anonymous ? "Anonymous buyer" : "—"),
        amount: amountOf(s),
        created: when(s.createdAt),
        expires: when(s.expiresAt),
        canExpire: admin && status === "open",
      };
    }),
    statuses: STATUSES,
    status: view.status,
    next: page.nextCursor ?? null,
    error: view.error ?? null,
  });
  return c.html(html, view.error ? 400 : 200);
}

export function registerDashboardCheckoutSessions(app: App, deps: AppDeps): void {
  app.get(PATH, async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    const status = statusParam(c, STATUSES);
    if (status === null) return messagePage(c, 400, "Checkout sessions", "There is no such session status.");
    return sessionsPage(c, deps, visitor, { query: pageQuery(c), status });
  });

  app.post(`${PATH}/:id/expire`, async (c) => {
    const posted = await postingVisitor(c, deps, "admin");
    if (posted instanceof Response) return posted;
    const { visitor, form } = posted;
    const merchant = visitorMerchant(visitor);
    const back = STATUSES.find((s) => s === form.status);
    try {
      await expireCheckoutSession(deps, merchant, c.req.param("id"), (tx, before, after) =>
        recordAudit(
          tx,
          merchant,
          {
            actor: visitorActor(visitor),
            action: "checkout_session.expired",
            objectType: "checkout_session",
            objectId: after.id,
            before: { id: before.id, status: before.status, expiresAt: before.expiresAt.toISOString() },
            after: { id: after.id, status: after.status, expiresAt: after.expiresAt.toISOString() },
          },
          deps.now(),
        ),
      );
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.code === "NOT_FOUND") return notFoundPage(c, "checkout session");
      return sessionsPage(c, deps, visitor, { query: pageQuery(c), status: back, error: error.message });
    }
    return c.redirect(back ? `${PATH}?status=${back}` : PATH, 303);
  });
}
