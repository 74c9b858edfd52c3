import type Stripe from "stripe";
import type { IntentPayer } from "../../context/index.js";

/** Where Glade keeps the Stripe customer made for each Glade customer (the processor customers table). */
export type ProcessorCustomerStore = {
  find(customerId: string): Promise<string | undefined>;
  /** Answers the stored id: another call's, if it stored one first. */
  remember(
    tenant: { organizationId: string; livemode: boolean },
    customerId: string,
    processorCustomerId: string,
  ): Promise<string>;
};

/**
 * The Stripe customer an intent is for. A known Glade customer keeps one Stripe customer for all its intents,
 * so its saved cards live in one place; the idempotency key makes a call that crashed before `remember` come
 * back to the same customer instead of a second one. An anonymous checkout gets a customer keyed on its
 * session, which settlement stores once the Glade customer exists.
 */
export async function resolveStripeCustomer(
  client: Stripe,
  customers: ProcessorCustomerStore,
  payer: IntentPayer,
): Promise<string> {
  const contact = { email: payer.email ?? undefined, name: payer.name ?? undefined };
  if (payer.customerId === null) {
    const created = await client.customers.create(
      { ...contact, metadata: { checkoutSessionId: payer.checkoutSessionId } },
      { idempotencyKey: `glade_checkout_customer_${payer.checkoutSessionId}` },
    );
    return created.id;
  }
  const known = await customers.find(payer.customerId);
  if (known) return known;
  const created = await client.customers.create(
    { ...contact, metadata: { gladeCustomerId: payer.customerId } },
    { idempotencyKey: `glade_customer_${payer.customerId}` },
  );
  return customers.remember(
    { organizationId: payer.organizationId, livemode: payer.livemode },
    payer.customerId,
    created.id,
  );
}
