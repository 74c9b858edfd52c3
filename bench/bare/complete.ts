/**
 * Bare baseline for "complete checkout" (machine-limits.md §3d): the same form POST Glade gets, then
 * BEGIN; SELECT … FOR UPDATE; UPDATE; INSERT payment; INSERT event; COMMIT on the row named in the path,
 * answered with the same 303 Glade sends.
 */
import { randomUUID } from "node:crypto";
import { barePool, readBody, serve } from "./common.js";

const sql = barePool();
const PATH = /^\/checkout\/([^/]+)\/confirm$/;

serve(async (req, res) => {
  const match = req.method === "POST" ? PATH.exec(req.url ?? "") : null;
  if (!match) {
    res.writeHead(404).end();
    return;
  }
  const id = match[1] as string;
  const form = new URLSearchParams(await readBody(req));
  const email = form.get("email") ?? "";
  const done = await sql.begin(async (tx) => {
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
  if (!done) {
    res.writeHead(409, { "content-type": "text/plain" }).end("not open");
    return;
  }
  res.writeHead(303, { location: `https://shop.example.com/thanks?session=${id}` }).end();
});
