/**
 * Bare baseline for "complete checkout": the same form POST Glade gets, then
 * BEGIN; SELECT … FOR UPDATE; UPDATE; INSERT payment; INSERT event; COMMIT on the row named in the path,
 * answered with the same 303 Glade sends.
 */
import { randomUUID } from "node:crypto";
import { barePool, serveConfirm } from "./common.js";

const sql = barePool();

serveConfirm((id, form) => {
  const email = form.get("email") ?? "";
  return sql.begin(async (tx) => {
    const [checkout] = await tx`
      select id, org_id, status, amount_total, currency from bare_checkouts where id = ${id} for update`;
    if (checkout?.status !== "open") return false;
    await tx`
      update bare_checkouts set status = 'complete', customer_email = ${email}, updated_at = now()
      where id = ${id}`;
    await tx`
      insert into bare_payments (id, checkout_id, amount, currency, status)
      values (${`py_${randomUUID()}`}, ${id}, ${checkout.amount_total}, ${checkout.currency}, 'succeeded')`;
    await tx`
      insert into bare_events (org_id, type, payload)
      values (${checkout.org_id}, 'checkout.completed', ${tx.json({ id, email, amount: checkout.amount_total })})`;
    return true;
  });
});
