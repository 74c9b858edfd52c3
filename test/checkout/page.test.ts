import { gzipSync } from "node:zlib";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { organizations } from "../../src/db/schema/index.js";
import {
  anonymousSession,
  catalogFixture,
  followFormRedirect,
  submitCheckoutForm,
  testContext,
} from "../support/index.js";

const ctx = await testContext();
const XSS = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

describe("hosted checkout page", () => {
  it("renders the summary with exact totals and the security headers", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f, { quantity: 3 });
    const res = await ctx.api("GET", `/checkout/${id}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain("Glade Pro × 3");
    expect(res.text).toContain("$59.97");
    expect(res.text).toContain("Pay $59.97");
    expect(res.text).toContain('href="https://merchant.example/cart"');
    expect(res.text).toContain("Test mode");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self' https://merchant.example");
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.text).not.toMatch(/<script>(?!<\/script>)/);
  });

  it("escapes merchant and customer supplied text", async () => {
    const f = await catalogFixture(ctx, { productName: XSS });
    await ctx.deps.db
      .update(organizations)
      .set({ name: XSS })
      .where(eq(organizations.id, f.merchant.organizationId));
    const id = await anonymousSession(ctx, f, { outputName: XSS });
    const res = await ctx.api("GET", `/checkout/${id}`);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain("<script>alert");
    expect(res.text).not.toContain("<img src=x");
    expect(res.text).toContain("&lt;script&gt;");
  });

  it("answers unknown and malformed ids with a plain 404 page", async () => {
    const unknown = await ctx.api("GET", "/checkout/chckt_session_AAAAAAAAAAAAAAAAAAAAAA");
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain("not valid");
    const weird = await ctx.api("GET", "/checkout/' or 1=1 --");
    expect(weird.status).toBe(404);
    const post = await ctx.api("POST", "/checkout/chckt_session_AAAAAAAAAAAAAAAAAAAAAA/confirm", {
      rawBody: "email=a@b.co",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(post.status).toBe(404);
  });

  it("serves its stylesheet and script from its own origin", async () => {
    const css = await ctx.api("GET", "/checkout/assets/checkout.css");
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toContain("text/css");
    const js = await ctx.api("GET", "/checkout/assets/checkout.js");
    expect(js.headers.get("content-type")).toContain("javascript");
    expect((await ctx.api("GET", "/checkout/assets/../../package.json")).status).toBe(404);
  });

  it("weighs at most 25 KB gzipped: the page after a failed submit, its stylesheet, script and icon", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f);
    // The heaviest state of the page: every field's problem shown, with the summary listing them.
    const failed = await submitCheckoutForm(ctx, id, {
      email: "x",
      name: "",
      cardNumber: "1",
      cardExpiry: "1",
      cardCvc: "1",
    });
    const page = await followFormRedirect(ctx, failed);
    expect(page.text).toContain("error-summary");
    const assets = ["checkout.css", "checkout.js", "favicon.svg"];
    const bodies = [
      page.text,
      ...(await Promise.all(assets.map(async (a) => (await ctx.api("GET", `/checkout/assets/${a}`)).text))),
    ];
    const gzipped = bodies.reduce((sum, body) => sum + gzipSync(body).length, 0);
    expect(gzipped).toBeLessThanOrEqual(25 * 1024);
  });
});
