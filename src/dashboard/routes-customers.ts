import { renderCustomerPage, renderCustomersPage } from "../../web/dashboard/customers-page.js";
import type { AppDeps } from "../context/index.js";
import { getCustomerById, SEARCH_COUNT_LIMIT, searchCustomers } from "../customers/index.js";
import type { App } from "../http/types.js";
import { listInvoicesWithLinesForCustomer } from "../invoices/index.js";
import { formatAmount } from "../lib/money.js";
import {
  describeCard,
  listPaymentMethodsForCustomer,
  listRecentPaymentsForCustomer,
} from "../payments/index.js";
import { listSubscriptionsForCustomer } from "../subscriptions/index.js";
import { listRecentEventsAboutCustomer } from "../webhooks/index.js";
import { when } from "./format.js";
import { listOr400 } from "./records-shared.js";
import { paymentStatusLabel, registerDashboardPayments } from "./routes-payments.js";
import { registerDashboardRefunds } from "./routes-payments-refund.js";
import { frameFor, messagePage, viewingVisitor, visitorMerchant } from "./routes-visitor.js";

const PATH = "/dashboard/customers";
const PAGE_SIZE = 25;
const RECENT = 20;

/** Customers and payments (with refunds): the pages of the dashboard's customers area. */
export function registerDashboardCustomers(app: App, deps: AppDeps): void {
  app.get(PATH, async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    const q = (c.req.query("q") ?? "").trim().slice(0, 200);
    const page = await listOr400(c, "Customers", () =>
      searchCustomers(deps.db, visitorMerchant(visitor), {
        q,
        limit: PAGE_SIZE,
        cursor: c.req.query("cursor"),
      }),
    );
    if (page instanceof Response) return page;
    return c.html(
      renderCustomersPage(await frameFor(deps, visitor, PATH), {
        q,
        total: page.total,
        totalLimit: SEARCH_COUNT_LIMIT,
        next: page.nextCursor ?? null,
        customers: page.data.map((row) => ({
          id: row.id,
          name: row.name,
          email: row.email,
          externalId: row.externalId,
          created: when(row.createdAt),
        })),
      }),
    );
  });

  app.get(`${PATH}/:id`, async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    const merchant = visitorMerchant(visitor);
    const customer = await getCustomerById(deps.db, merchant, c.req.param("id"));
    if (!customer) {
      return messagePage(c, 404, "Not found", "There is no such customer in this organization and mode.");
    }
    const [subscriptions, payments, invoices, cards, events, frame] = await Promise.all([
      listSubscriptionsForCustomer(deps.db, merchant, customer.id),
      listRecentPaymentsForCustomer(deps.db, merchant, customer.id, RECENT),
      listInvoicesWithLinesForCustomer(deps.db, merchant, customer.id, deps.config.publicUrl),
      listPaymentMethodsForCustomer(deps.db, merchant, customer.id),
      listRecentEventsAboutCustomer(deps.db, merchant, customer.id, RECENT),
      frameFor(deps, visitor, PATH),
    ]);
    return c.html(
      renderCustomerPage(frame, {
        customer: {
          id: customer.id,
          name: customer.name,
          email: customer.email,
          externalId: customer.externalId,
          created: when(customer.createdAt),
          archived: customer.archived,
        },
        subscriptions: subscriptions.map((s) => ({
          id: s.id,
          name: s.name ?? "Subscription",
          status: s.status,
          started: when(s.startDate),
        })),
        payments: payments.map((p) => ({
          id: p.id,
          when: when(p.chargeDate),
          amount: formatAmount(p.amount, p.currency),
          status: paymentStatusLabel(p),
        })),
        invoices: invoices.map(({ invoice }) => ({
          id: invoice.id,
          number: invoice.invoiceNumber,
          status: invoice.status,
          total: formatAmount(invoice.total, invoice.currency),
          date: when(new Date(invoice.invoiceDate)),
          pdfUrl: invoice.pdfURL ?? null,
        })),
        cards: cards.map((m) => ({
          id: m.id,
          label: describeCard(m),
          expires: `${String(m.expMonth).padStart(2, "0")}/${m.expYear}`,
          isDefault: m.isDefault,
        })),
        events: events.map((e) => ({ id: e.id, type: e.type, when: when(e.createdAt) })),
      }),
    );
  });

  registerDashboardPayments(app, deps);
  registerDashboardRefunds(app, deps);
}
