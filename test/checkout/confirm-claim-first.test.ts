import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { checkoutSessions, sandboxIntents } from "../../src/db/schema/index.js";
import {
  anonymousSession,
  CARDS,
  catalogFixture,
  followFormRedirect,
  submitCheckoutForm,
  testContext,
} from "../support/index.js";
import { warmProcessorCache } from "../support/processors.js";

let recording: string[] | undefined;
const ctx = await testContext({}, { onStatement: (sql) => recording?.push(sql) });

/** The statements one hosted-page confirm sends, in order. */
async function statementsOf(sessionId: string, fields: Record<string, string>) {
  await warmProcessorCache(ctx, sessionId);
  recording = [];
  try {
    const res = await submitCheckoutForm(ctx, sessionId, fields);
    return { res, sent: recording };
  } finally {
    recording = undefined;
  }
}

const CLAIM = /^with "claimed" as \(update "checkout_sessions"/;
const PROCESSOR = /insert into sandbox_intents/;

describe("what a confirm sends to the database", () => {
  it("claims first with a well-formed card, reading the session's price in the same statement", async () => {
    const f = await catalogFixture(ctx);
    const { res, sent } = await statementsOf(await anonymousSession(ctx, f), { cardNumber: CARDS.ok });
    expect(res.status).toBe(303);
    const charge = sent.findIndex((sql) => PROCESSOR.test(sql));
    expect(charge).toBeGreaterThan(0);
    const beforeCharge = sent.slice(0, charge);
    expect(beforeCharge).toHaveLength(1);
    expect(beforeCharge[0]).toMatch(CLAIM);
    expect(beforeCharge[0]).toMatch(/left join "prices"/);
  });

  it("never claims with a malformed card: the page is shown again and nothing reaches the processor", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f);
    const { res, sent } = await statementsOf(id, { cardNumber: CARDS.badLuhn });
    expect(res.status).toBe(303);
    expect((await followFormRedirect(ctx, res)).text).toContain("Your card number is invalid.");
    expect(sent.some((sql) => CLAIM.test(sql) || PROCESSOR.test(sql))).toBe(false);

    const retry = await statementsOf(id, { cardNumber: CARDS.ok });
    expect(retry.res.status).toBe(303);
  });

  it("a second confirm of a paid session charges nothing and goes to the success URL again", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f);
    expect((await submitCheckoutForm(ctx, id, { cardNumber: CARDS.ok })).status).toBe(303);
    const { res, sent } = await statementsOf(id, { cardNumber: CARDS.ok });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toContain(id);
    expect(sent.some((sql) => PROCESSOR.test(sql))).toBe(false);
  });
});

describe("a claimed attempt that cannot be planned", () => {
  it("is given back at once: the session reopens and the processor never hears of it", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f);
    // A session whose price has gone from under it (only possible by hand): planning after the claim fails.
    await ctx.deps.db
      .update(checkoutSessions)
      .set({ priceId: "price_gone" })
      .where(eq(checkoutSessions.id, id));
    const res = await submitCheckoutForm(ctx, id, { cardNumber: CARDS.ok });
    expect(res.status).toBe(500);
    const [session] = await ctx.deps.db.select().from(checkoutSessions).where(eq(checkoutSessions.id, id));
    expect(session).toMatchObject({
      status: "open",
      attempt: 1,
      lastError: "Your payment could not be started.",
    });
    const intents = await ctx.deps.db
      .select()
      .from(sandboxIntents)
      .where(eq(sandboxIntents.idempotencyKey, `${id}:1`));
    expect(intents).toEqual([]);
  });
});
