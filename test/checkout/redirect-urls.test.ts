import { describe, expect, it } from "vitest";
import { setAllowedRedirectDomains } from "../../src/organizations/index.js";
import { CARDS, catalogFixture, createSession, submitCheckoutForm, testContext } from "../support/index.js";

const ctx = await testContext();

describe("redirect URLs are stored as a browser reads them", () => {
  it("keeps the URL standard's form of a spaced or slash-less URL, and checks the host a browser would visit", async () => {
    const f = await catalogFixture(ctx);
    const session = (successUrl: string) =>
      createSession(ctx, f.merchant.testKey, {
        type: "product",
        anonymous: true,
        priceId: f.oneTimePriceId,
        successUrl,
      });
    for (const [given, stored] of [
      [" https://evil.example", "https://evil.example/"],
      ["https:evil.example", "https://evil.example/"],
      ["https://Shop.Example/Thanks?x=1", "https://shop.example/Thanks?x=1"],
    ] as const) {
      const res = await session(given);
      expect(res.status, given).toBe(200);
      expect(res.body.checkoutSession.successUrl, given).toBe(stored);
      const read = await ctx.api("GET", `/api/v1/checkout-sessions/${res.body.checkoutSession.id}`, {
        key: f.merchant.testKey,
      });
      expect(read.body.checkoutSession.successUrl).toBe(stored);
    }
    // With allowed domains, the disguised forms are judged by the host they really go to.
    await setAllowedRedirectDomains(
      ctx.deps.db,
      f.merchant.organizationId,
      ["merchant.example"],
      ctx.deps.now(),
    );
    for (const disguised of [" https://evil.example", "https:evil.example", "https:\\\\evil.example"]) {
      expect((await session(disguised)).status, disguised).toBe(400);
    }
    expect((await session("https:shop.merchant.example/ok")).body.checkoutSession.successUrl).toBe(
      "https://shop.merchant.example/ok",
    );
  });

  it("fills the session id into the success URL wherever the placeholder is, path included", async () => {
    const f = await catalogFixture(ctx);
    for (const successUrl of [
      "https://shop.example/done/{CHECKOUT_SESSION_ID}/thanks",
      "https://shop.example/done?cs={CHECKOUT_SESSION_ID}",
    ]) {
      const res = await createSession(ctx, f.merchant.testKey, {
        type: "product",
        anonymous: true,
        priceId: f.oneTimePriceId,
        successUrl,
      });
      const id = res.body.checkoutSession.id;
      const paid = await submitCheckoutForm(ctx, id, { cardNumber: CARDS.ok });
      expect(paid.status).toBe(303);
      expect(paid.headers.get("location"), successUrl).toBe(successUrl.replace("{CHECKOUT_SESSION_ID}", id));
    }
  });
});
