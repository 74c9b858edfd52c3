import {
  type PaymentDetail,
  renderPaymentPage,
  renderPaymentsPage,
  renderRefundConfirmPage,
} from "../../web/dashboard/payments-page.js";
import type { AppDeps, Merchant } from "../context/index.js";
import { getCustomerById } from "../customers/index.js";
import type { App } from "../http/types.js";
import { formatAmount } from "../lib/money.js";
import {
  describeCard,
  getPayment,
  getPaymentMethod,
  listPayments,
  type PaymentRow,
} from "../payments/index.js";
import type { Visitor } from "./access.js";
import { majorAmountInput, parseMajorAmount } from "./amount-input.js";
import { when } from "./format.js";
import { listOr400 } from "./records-shared.js";
import { canChange, frameFor, messagePage, viewingVisitor, visitorMerchant } from "./routes-visitor.js";

const PATH = "/dashboard/payments";
const PAGE_SIZE = 25;

export const PAYMENT_NOT_FOUND = "There is no such payment in this organization and mode.";

/** A partly refunded payment stays `succeeded` (Flowglad's statuses); the list says how much went back. */
export function paymentStatusLabel(p: { status: string; refundedAmount: number; currency: string }): string {
  if (p.status === "succeeded" && p.refundedAmount > 0) {
    return `succeeded · ${formatAmount(p.refundedAmount, p.currency)} refunded`;
  }
  return p.status;
}

const remainingOf = (p: PaymentRow) => p.amount - p.refundedAmount;

async function cardOf(deps: AppDeps, merchant: Merchant, payment: PaymentRow): Promise<string> {
  const method = payment.paymentMethodId
    ? await getPaymentMethod(deps.db, merchant, payment.paymentMethodId)
    : undefined;
  return method ? describeCard(method) : "the card it was paid with";
}

async function paymentDetail(deps: AppDeps, merchant: Merchant, p: PaymentRow): Promise<PaymentDetail> {
  const [card, customer] = await Promise.all([
    cardOf(deps, merchant, p),
    p.customerId ? getCustomerById(deps.db, merchant, p.customerId) : undefined,
  ]);
  const remaining = remainingOf(p);
  return {
    id: p.id,
    amount: formatAmount(p.amount, p.currency),
    refunded: p.refundedAmount > 0 ? formatAmount(p.refundedAmount, p.currency) : null,
    remaining: formatAmount(remaining, p.currency),
    remainingInput: majorAmountInput(remaining, p.currency),
    currency: p.currency.toUpperCase(),
    status: paymentStatusLabel(p),
    when: when(p.chargeDate),
    description: p.description ?? "—",
    card,
    customer: customer ? { id: customer.id, label: customer.name || customer.email } : null,
    invoiceId: p.invoiceId,
    refundable: p.status === "succeeded" && remaining > 0,
  };
}

/** The payment's page, with the refund form's value and error when it is shown again. */
export async function paymentPage(
  deps: AppDeps,
  visitor: Visitor,
  payment: PaymentRow,
  extra: { notice?: string; amount?: string; amountError?: string } = {},
) {
  const merchant = visitorMerchant(visitor);
  const [frame, detail] = await Promise.all([
    frameFor(deps, visitor, PATH),
    paymentDetail(deps, merchant, payment),
  ]);
  return renderPaymentPage(frame, {
    payment: detail,
    canChange: canChange(visitor),
    notice: extra.notice ?? null,
    amount: extra.amount ?? null,
    amountError: extra.amountError ?? null,
  });
}

/** The typed amount checked against what the payment still allows: minor units, or the field's error. */
export function checkRefundAmount(
  payment: PaymentRow,
  typed: string,
): { amount: number } | { error: string } {
  if (payment.status !== "succeeded") {
    return { error: `Only a succeeded payment can be refunded; this one is ${payment.status}.` };
  }
  const parsed = parseMajorAmount(typed, payment.currency);
  if ("error" in parsed) return parsed;
  const remaining = remainingOf(payment);
  if (parsed.amount > remaining) {
    return {
      error: `That is more than the ${formatAmount(remaining, payment.currency)} left to refund on this payment.`,
    };
  }
  return parsed;
}

export function registerDashboardPayments(app: App, deps: AppDeps): void {
  app.get(PATH, async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    const page = await listOr400(c, "Payments", () =>
      listPayments(deps.db, visitorMerchant(visitor), { limit: PAGE_SIZE, cursor: c.req.query("cursor") }),
    );
    if (page instanceof Response) return page;
    return c.html(
      renderPaymentsPage(await frameFor(deps, visitor, PATH), {
        next: page.nextCursor ?? null,
        payments: page.data.map((p) => ({
          id: p.id,
          when: when(p.chargeDate),
          amount: formatAmount(p.amount, p.currency),
          status: paymentStatusLabel(p),
          description: p.description ?? "",
        })),
      }),
    );
  });

  app.get(`${PATH}/:id`, async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    const payment = await getPayment(deps.db, visitorMerchant(visitor), c.req.param("id"));
    if (!payment) return messagePage(c, 404, "Not found", PAYMENT_NOT_FOUND);
    const amount = c.req.query("amount");
    const notice =
      c.req.query("notice") === "refunded"
        ? `Refunded. ${formatAmount(payment.refundedAmount, payment.currency)} of this payment has been refunded in all.`
        : undefined;
    return c.html(
      await paymentPage(deps, visitor, payment, {
        ...(amount === undefined ? {} : { amount: amount.slice(0, 20) }),
        ...(notice === undefined ? {} : { notice }),
      }),
    );
  });

  // The review step is a GET: it only asks the question; the Confirm button on it is the POST that refunds.
  app.get(`${PATH}/:id/refund`, async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    const merchant = visitorMerchant(visitor);
    const payment = await getPayment(deps.db, merchant, c.req.param("id"));
    if (!payment) return messagePage(c, 404, "Not found", PAYMENT_NOT_FOUND);
    if (!canChange(visitor)) {
      return messagePage(
        c,
        403,
        "Nothing was changed",
        `Your role (${visitor.membership.role}) cannot refund payments. Ask an admin or owner.`,
      );
    }
    const typed = (c.req.query("amount") ?? "").slice(0, 20);
    const checked = checkRefundAmount(payment, typed);
    if ("error" in checked) {
      return c.html(
        await paymentPage(deps, visitor, payment, { amount: typed, amountError: checked.error }),
        400,
      );
    }
    const card = await cardOf(deps, merchant, payment);
    return c.html(
      renderRefundConfirmPage(await frameFor(deps, visitor, PATH), {
        paymentId: payment.id,
        question: `Refund ${formatAmount(checked.amount, payment.currency)} of ${formatAmount(payment.amount, payment.currency)} to ${card}?`,
        amountInput: majorAmountInput(checked.amount, payment.currency),
      }),
    );
  });
}
