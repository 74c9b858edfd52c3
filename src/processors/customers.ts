import { and, eq } from "drizzle-orm";
import type { Executor } from "../db/client.js";
import { processorCustomers } from "../db/schema/index.js";
import { panic } from "../lib/errors.js";
import { type ProcessorCustomerStore, processorCustomerOfSavedCard } from "../payments/index.js";

/**
 * The mapping of one processor account. A customer whose first card was saved by an anonymous checkout
 * has no mapping yet (the checkout made its processor customer before the Glade customer existed): the
 * card knows it, and it is adopted on first use.
 */
export function processorCustomerStore(db: Executor, accountId: string): ProcessorCustomerStore {
  const stored = async (customerId: string) => {
    const [row] = await db
      .select({ id: processorCustomers.processorCustomerId })
      .from(processorCustomers)
      .where(
        and(
          eq(processorCustomers.customerId, customerId),
          eq(processorCustomers.processorAccountId, accountId),
        ),
      );
    return row?.id;
  };
  const store: ProcessorCustomerStore = {
    async find(customerId) {
      const known = await stored(customerId);
      if (known) return known;
      const card = await processorCustomerOfSavedCard(db, customerId, "stripe");
      if (!card) return undefined;
      const tenant = { organizationId: card.organizationId, livemode: card.livemode };
      return store.remember(tenant, customerId, card.processorCustomerId);
    },
    async remember(tenant, customerId, processorCustomerId) {
      await db
        .insert(processorCustomers)
        .values({ customerId, ...tenant, processorAccountId: accountId, processorCustomerId })
        .onConflictDoNothing();
      // A concurrent first payment may have stored its own: that one is the customer's from now on.
      return (await stored(customerId)) ?? panic(`processor customer of ${customerId} vanished`);
    },
  };
  return store;
}
