import { eq } from "drizzle-orm";
import type { AppDeps, CardInput, PaymentProcessor, ProcessorRegistry } from "../../src/context/index.js";
import { checkoutSessions } from "../../src/db/schema/index.js";
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

/**
 * Reads the session's tenant connection into the registry's cache, as any earlier request of the tenant in
 * the last few seconds has: statement counts then show what a confirm sends in steady state. (The first
 * confirm of a tenant in a cache period also reads its connection: one indexed lookup.)
 */
export async function warmProcessorCache(
  ctx: { deps: Pick<AppDeps, "db" | "processors"> },
  sessionId: string,
): Promise<void> {
  const [session] = await ctx.deps.db
    .select({ organizationId: checkoutSessions.organizationId, livemode: checkoutSessions.livemode })
    .from(checkoutSessions)
    .where(eq(checkoutSessions.id, sessionId));
  if (!session) throw new Error(`session ${sessionId} missing`);
  await ctx.deps.processors.forTenant(session);
}

/**
 * What the sandbox did for a session's first attempt before the process died (a crash window): a payment of
 * `amount` with the card `number`, keyed as the confirm keys it.
 */
export function sandboxChargeOfFirstAttempt(
  ctx: { deps: Pick<AppDeps, "db"> },
  sessionId: string,
  amount: number,
  number: string,
) {
  return sandboxOf(ctx).createIntent(
    sandboxIntentRequest({
      kind: "payment",
      amount,
      idempotencyKey: `${sessionId}:1`,
      card: { number, expMonth: 12, expYear: 2034, cvc: "123" },
    }),
  );
}
