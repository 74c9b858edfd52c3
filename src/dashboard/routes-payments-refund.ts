import { recordAudit } from "../audit/index.js";
import type { AppDeps } from "../context/index.js";
import type { App } from "../http/types.js";
import { AppError } from "../lib/errors.js";
import { getPayment, type PaymentRow, refundPayment } from "../payments/index.js";
import { checkRefundAmount, PAYMENT_NOT_FOUND, paymentPage } from "./routes-payments.js";
import { messagePage, postingVisitor, visitorActor, visitorMerchant } from "./routes-visitor.js";

/** A payment as the audit log keeps it: its money and status, nothing about the card. */
function auditedPayment(p: PaymentRow) {
  return {
    id: p.id,
    amount: p.amount,
    currency: p.currency,
    status: p.status,
    refundedAmount: p.refundedAmount,
    refundedAt: p.refundedAt?.toISOString() ?? null,
  };
}

export function registerDashboardRefunds(app: App, deps: AppDeps): void {
  app.post("/dashboard/payments/:id/refund", async (c) => {
    const posted = await postingVisitor(c, deps, "admin");
    if (posted instanceof Response) return posted;
    const { visitor, form } = posted;
    const merchant = visitorMerchant(visitor);
    const before = await getPayment(deps.db, merchant, c.req.param("id"));
    if (!before) return messagePage(c, 404, "Not found", PAYMENT_NOT_FOUND);
    const typed = (form.amount ?? "").slice(0, 20);
    const checked = checkRefundAmount(before, typed);
    if ("error" in checked) {
      return c.html(
        await paymentPage(deps, visitor, before, { amount: typed, amountError: checked.error }),
        400,
      );
    }
    let after: PaymentRow;
    try {
      after = await refundPayment(deps, merchant, before.id, { partialAmount: checked.amount });
    } catch (err) {
      // Another refund may have taken the rest since the page was shown, or the processor refused: the
      // service's sentence goes next to the field and nothing was refunded.
      if (!(err instanceof AppError)) throw err;
      const current = (await getPayment(deps.db, merchant, before.id)) ?? before;
      return c.html(
        await paymentPage(deps, visitor, current, { amount: typed, amountError: err.message }),
        err.status >= 500 ? 503 : 400,
      );
    }
    // refundPayment runs its own transactions (reserve, processor call, confirm) and takes no caller's
    // transaction, so the entry is written right after it returns, with the payment before and after.
    const now = deps.now();
    await deps.db.transaction((tx) =>
      recordAudit(
        tx,
        merchant,
        {
          actor: visitorActor(visitor),
          action: "payment.refunded",
          objectType: "payment",
          objectId: after.id,
          before: auditedPayment(before),
          after: { ...auditedPayment(after), refundAmount: checked.amount },
        },
        now,
      ),
    );
    return c.redirect(`/dashboard/payments/${after.id}?notice=refunded`, 303);
  });
}
