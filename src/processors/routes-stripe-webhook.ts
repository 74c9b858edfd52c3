import type Stripe from "stripe";
import { loadSessionIfAny, syncClientAttempt } from "../checkout/index.js";
import type { AppDeps, Merchant, ProcessorTenant } from "../context/index.js";
import type { App } from "../http/types.js";
import { AppError } from "../lib/errors.js";
import { parseStripeEvent, recordDispute, recordProcessorRefundTotal } from "../payments/index.js";
import { readConnection } from "./connections.js";

type Outcome = "settled" | "recorded" | "ignored";

const idOf = (ref: string | { id: string } | null | undefined) => (typeof ref === "string" ? ref : ref?.id);

/**
 * An intent event: the checkout session named in its metadata syncs with what Stripe says of the intent
 * now (retrieved, not taken from the event, so a late or reordered event cannot move it backwards). An
 * intent that is not a checkout's (renewals, which settle synchronously), or another tenant's, is ignored.
 */
async function intentEvent(
  deps: AppDeps,
  tenant: ProcessorTenant,
  intent: Stripe.PaymentIntent | Stripe.SetupIntent,
): Promise<Outcome> {
  const sessionId = intent.metadata?.checkoutSessionId;
  if (!sessionId) return "ignored";
  const session = await loadSessionIfAny(deps, sessionId);
  if (!session || session.organizationId !== tenant.organizationId || session.livemode !== tenant.livemode) {
    return "ignored";
  }
  const processor = await deps.processors.forTenant(tenant);
  if (processor.name !== "stripe") return "ignored";
  await syncClientAttempt(deps, session, processor, intent.id);
  return "settled";
}

async function handleEvent(deps: AppDeps, tenant: ProcessorTenant, event: Stripe.Event): Promise<Outcome> {
  const merchant: Merchant = { ...tenant, apiKeyId: "stripe_webhook" };
  switch (event.type) {
    case "payment_intent.succeeded":
    case "payment_intent.payment_failed":
    case "payment_intent.canceled":
    case "payment_intent.processing":
    case "setup_intent.succeeded":
    case "setup_intent.setup_failed":
    case "setup_intent.canceled":
      return intentEvent(deps, tenant, event.data.object);
    case "charge.refunded": {
      const charge = event.data.object;
      const processorIntentId = idOf(charge.payment_intent);
      if (!processorIntentId) return "ignored";
      const payment = await recordProcessorRefundTotal(deps, merchant, {
        processor: "stripe",
        processorIntentId,
        totalRefunded: charge.amount_refunded,
      });
      return payment ? "recorded" : "ignored";
    }
    case "charge.dispute.created": {
      const processorIntentId = idOf(event.data.object.payment_intent);
      if (!processorIntentId) return "ignored";
      const payment = await recordDispute(deps, merchant, { processor: "stripe", processorIntentId });
      return payment ? "recorded" : "ignored";
    }
    default:
      return "ignored";
  }
}

/**
 * Stripe's webhooks, one URL per organization and mode (its signing secret is that connection's). A
 * verified event is answered 2xx once handled, or when it is not ours to handle (another tenant's intent,
 * an event type Glade does not use): Stripe retries only what failed here, so nothing loops.
 */
export function registerStripeWebhook(app: App, deps: AppDeps): void {
  app.post("/processors/stripe/webhook/:organizationId/:mode", async (c) => {
    const mode = c.req.param("mode");
    if (mode !== "test" && mode !== "live") return c.json({ error: "Unknown mode" }, 404);
    const tenant = { organizationId: c.req.param("organizationId"), livemode: mode === "live" };
    const connection = await readConnection(deps, tenant);
    if (!connection) return c.json({ error: "No Stripe connection for this organization and mode" }, 404);
    let event: Stripe.Event;
    try {
      event = parseStripeEvent(
        await c.req.text(),
        c.req.header("stripe-signature") ?? "",
        connection.webhookSecret,
      );
    } catch {
      return c.json({ error: "Invalid Stripe signature" }, 400);
    }
    if (event.livemode !== tenant.livemode) return c.json({ received: true, outcome: "ignored" });
    try {
      return c.json({ received: true, outcome: await handleEvent(deps, tenant, event) });
    } catch (err) {
      // A refusal about this tenant (its processor disconnected meanwhile) will not change on a retry.
      if (err instanceof AppError && err.status < 500) return c.json({ received: true, outcome: "ignored" });
      deps.logger.error(
        { err, eventId: event.id, type: event.type },
        "stripe webhook failed; Stripe will retry",
      );
      return c.json({ error: "Could not handle the event; it will be retried" }, 500);
    }
  });
}
