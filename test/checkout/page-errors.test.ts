import { describe, expect, it } from "vitest";
import {
  anonymousSession,
  CARDS,
  catalogFixture,
  followFormRedirect,
  sessionRow,
  submitCheckoutForm,
  testContext,
} from "../support/index.js";

const ctx = await testContext();

/** An input's or select's opening tag on the page, by id. */
const tagOf = (html: string, id: string) =>
  new RegExp(`<(input|select) id="${id}"[^>]*>`).exec(html)?.[0] ?? "";

describe("the hosted page after a failed submit", () => {
  it("marks each failed field (only those), links its message, shows them all at once, never echoes the card", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f);
    const typed = "4242 4242 4242 4241";
    const res = await submitCheckoutForm(ctx, id, {
      email: "not-an-email",
      name: "Ada Buyer",
      cardNumber: typed,
      cardExpiry: "13 / 30",
    });
    // POST → 303 → GET: the address stays the page's, so a reload never submits again.
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/checkout/${id}`);
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(new RegExp(`Path=/checkout/${id}`));
    expect(cookie).toContain("HttpOnly");
    const page = await followFormRedirect(ctx, res);
    expect(page.status).toBe(200);
    for (const field of ["email", "cardNumber", "cardExpiry"]) {
      expect(tagOf(page.text, field), field).toContain(
        `aria-invalid="true" aria-describedby="${field}-error"`,
      );
      expect(page.text).toContain(`<p class="field-error" id="${field}-error">`);
    }
    for (const field of ["name", "cardCvc", "country"])
      expect(tagOf(page.text, field), field).not.toContain("aria-invalid");
    expect(page.text).toContain('class="error-summary"');
    expect(page.text).toContain('<a href="#email">Enter a valid email address.</a>');
    expect(page.text).toContain('<a href="#cardNumber">Your card number is invalid.</a>');
    expect(page.text).toContain('<a href="#cardExpiry">');
    // What was typed comes back, except anything of the card.
    expect(tagOf(page.text, "email")).toContain('value="not-an-email"');
    for (const where of [
      page.text,
      cookie,
      Buffer.from(cookie.split(/[=;]/)[1] ?? "", "base64url").toString(),
    ]) {
      expect(where).not.toContain(typed.replaceAll(" ", ""));
      expect(where).not.toContain(typed);
      expect(where).not.toContain("4241");
    }
    // The problems are shown once: the next visit is a clean page.
    const again = await ctx.api("GET", `/checkout/${id}`);
    expect(again.text).not.toContain("error-summary");
    expect((await sessionRow(ctx, id)).status).toBe("open");
  });

  it("leaves the card number alone when only the email is wrong (the reported bug)", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f);
    const page = await followFormRedirect(
      ctx,
      await submitCheckoutForm(ctx, id, { email: "nope", cardNumber: CARDS.ok }),
    );
    expect(tagOf(page.text, "email")).toContain('aria-invalid="true"');
    expect(tagOf(page.text, "cardNumber")).not.toContain("aria-invalid");
  });

  it("shows a decline on the card field, also when the page is opened again later", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f);
    const page = await followFormRedirect(
      ctx,
      await submitCheckoutForm(ctx, id, { cardNumber: CARDS.decline }),
    );
    expect(tagOf(page.text, "cardNumber")).toContain('aria-invalid="true"');
    expect(page.text).toContain("Your card was declined.");
    const later = await ctx.api("GET", `/checkout/${id}`);
    expect(tagOf(later.text, "cardNumber")).toContain('aria-invalid="true"');
    expect(later.text).toContain("Your card was declined.");
  });

  it("sends a GET of the form's address to the page, not a 404", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f);
    const res = await ctx.api("GET", `/checkout/${id}/confirm`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/checkout/${id}`);
    expect((await ctx.api("GET", "/checkout/nonsense/confirm")).status).toBe(404);
  });

  it("ignores a flash cookie it did not write", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f);
    const page = await ctx.api("GET", `/checkout/${id}`, {
      headers: { cookie: "glade_checkout_flash=%%%garbage" },
    });
    expect(page.status).toBe(200);
    expect(page.text).not.toContain("error-summary");
  });
});

describe("a trial's success page", () => {
  it("names the plan, the trial end, the first charge and its date, and the card on file", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f, { priceId: f.trialPriceId });
    const paid = await submitCheckoutForm(ctx, id, { cardNumber: CARDS.ok });
    expect(paid.status).toBe(303);
    const page = await ctx.api("GET", `/checkout/${id}/success`);
    const text = page.text.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
    const { subscriptionId } = await sessionRow(ctx, id);
    const subscription = (
      await ctx.api("GET", `/api/v1/subscriptions/${subscriptionId}`, { key: f.merchant.testKey })
    ).body.subscription;
    const trialEnd = new Date(subscription.trialEnd).toISOString().slice(0, 10);
    expect(text).toContain("Plan: Glade Pro");
    expect(text).toContain(`Free trial until ${trialEnd}. Nothing was charged today.`);
    expect(text).toContain(`First charge: $15.00 on ${trialEnd}, then $15.00 every month until you cancel.`);
    expect(text).toContain("Card on file: Visa ending in 4242");
    expect(text).not.toContain("Paid with");
  });
});

describe("a purchase link's invalid-quantity page", () => {
  it("offers a way back to the link's page", async () => {
    const f = await catalogFixture(ctx);
    const path = `/price/${f.oneTimePriceId}/purchase`;
    const bad = await ctx.api("GET", `${path}?quantity=0`);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain(`<a class="cancel" href="${path}">Back to the purchase page</a>`);
    expect((await ctx.api("GET", path)).status).toBe(200);
    const posted = await ctx.api("POST", path, {
      rawBody: "quantity=500",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(posted.status).toBe(400);
    expect(posted.text).toContain(`href="${path}"`);
  });
});

describe("a hosted form with a value the database cannot hold", () => {
  it("answers with a page, not the API's JSON", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f);
    const res = await submitCheckoutForm(ctx, id, { name: "Ada\u0000Buyer", cardNumber: CARDS.ok });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(res.text).toContain("cannot store");
    expect((await sessionRow(ctx, id)).status).toBe("open");
  });
});
