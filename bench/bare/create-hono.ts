/**
 * Framework reference for "create checkout session": the bare create harness's INSERT behind the same
 * stack Glade uses (Hono on @hono/node-server, the body validated by a zod schema, `c.json` answer). What it
 * loses against bare node:http is the framework's share; what Glade loses against it is Glade's own.
 */
import { randomUUID } from "node:crypto";
import { serve as serveHono } from "@hono/node-server";
import { Hono } from "hono";
import { z } from "zod";
import { barePool } from "./common.js";

const sql = barePool();
const ORG_ID = process.env.BARE_ORG_ID ?? "org_bare";
const UNIT_PRICE = 19900;
const DAY_MS = 24 * 60 * 60 * 1000;

const Body = z.object({
  checkoutSession: z.object({
    type: z.literal("product"),
    priceId: z.string().min(1).max(100),
    quantity: z.number().int().min(1).max(10_000).default(1),
    successUrl: z.string().url(),
    cancelUrl: z.string().url(),
    anonymous: z.boolean().optional(),
  }),
});

const app = new Hono();
app.post("/checkout-sessions", async (c) => {
  const parsed = Body.safeParse(await c.req.json());
  if (!parsed.success) return c.json({ error: "invalid" }, 400);
  const input = parsed.data.checkoutSession;
  const subtotal = UNIT_PRICE * input.quantity;
  const [row] = await sql`
    insert into bare_checkouts (id, org_id, status, amount_subtotal, amount_tax, amount_total, currency,
      customer_email, metadata, created_at, updated_at, expires_at)
    values (${`cs_${randomUUID()}`}, ${ORG_ID}, 'open', ${subtotal}, 0, ${subtotal}, 'USD', null,
      ${sql.json({ priceId: input.priceId, quantity: input.quantity, successUrl: input.successUrl })},
      now(), now(), ${new Date(Date.now() + DAY_MS)})
    returning id, status, amount_total, created_at`;
  return c.json({ checkoutSession: row });
});

const server = serveHono(
  { fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: "127.0.0.1" },
  () => process.stdout.write("ready\n"),
);
process.once("SIGTERM", () => {
  server.close();
  process.exit(0);
});
