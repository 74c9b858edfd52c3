import type { AppDeps, CardInput, PaymentProcessor, ProcessorRegistry } from "../../src/context/index.js";
import { createSandboxProcessor } from "../../src/payments/index.js";

/** The sandbox over the test's database: the processor every test-mode tenant without a connection uses. */
export function sandboxOf(ctx: { deps: Pick<AppDeps, "db"> }): PaymentProcessor {
  return createSandboxProcessor(ctx.deps.db);
}

/** A registry that answers `processor` for every tenant and record: for tests that wrap or break it. */
export function onlyProcessor(processor: PaymentProcessor): ProcessorRegistry {
  return {
    forTenant: async () => processor,
    named: async () => processor,
    forget: () => {},
  };
}

/** A sandbox intent request as the checkout makes one, with what a test does not care about filled in. */
export function sandboxIntentRequest(input: {
  kind: "payment" | "setup";
  amount: number;
  currency?: string;
  livemode?: boolean;
  idempotencyKey: string;
  card: CardInput;
}): Parameters<PaymentProcessor["createIntent"]>[0] {
  const livemode = input.livemode ?? false;
  return {
    ...input,
    currency: input.currency ?? "USD",
    livemode,
    payer: {
      customerId: null,
      email: null,
      name: null,
      organizationId: "org_test",
      livemode,
      checkoutSessionId: input.idempotencyKey,
    },
    saveCard: input.kind === "setup",
    metadata: {},
  };
}
