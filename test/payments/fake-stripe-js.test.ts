import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeStripe } from "../fixtures/fake-stripe/index.js";

/**
 * The fake Stripe.js in Chromium, on a stand-in merchant page of another origin: the Payment Element takes a
 * test card number, confirm goes to the fake, and the page lands on its return URL (or shows the decline).
 */
const fake = await startFakeStripe();

/** Every request the merchant's server got, with its body: the card number must never be in one. */
const merchantRequests: string[] = [];

const CHECKOUT_PAGE = (stripeJsUrl: string) => `<!doctype html>
<html><head><meta charset="utf-8"><script src="${stripeJsUrl}"></script></head><body>
<form id="pay" method="post" action="/submitted"><div id="payment-element"></div><button type="submit">Pay</button></form>
<p id="error"></p>
<script>
  const params = new URLSearchParams(location.search);
  const kind = params.get("kind");
  const clientSecret = params.get("secret");
  const stripe = Stripe(params.get("pk"));
  const elements = params.get("deferred")
    ? stripe.elements({ mode: kind, currency: "usd", amount: kind === "payment" ? 1999 : undefined })
    : stripe.elements({ clientSecret });
  elements.create("payment").mount("#payment-element");
  const show = (error) => {
    document.getElementById("error").textContent = [error.type, error.code, error.decline_code].filter(Boolean).join(" ");
  };
  document.getElementById("pay").addEventListener("submit", async (event) => {
    event.preventDefault();
    const submitted = await elements.submit();
    if (submitted.error) return show(submitted.error);
    const confirm = kind === "setup" ? stripe.confirmSetup : stripe.confirmPayment;
    const result = await confirm({ elements, clientSecret, confirmParams: { return_url: location.origin + "/return" } });
    if (result.error) show(result.error);
  });
</script></body></html>`;

const merchant = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  merchantRequests.push(`${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`);
  const page = req.url?.startsWith("/checkout")
    ? CHECKOUT_PAGE(fake.stripeJsUrl)
    : "<!doctype html><h1>Returned</h1>";
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
});
let merchantUrl = "";
let browser: Browser;

beforeAll(async () => {
  await new Promise<void>((resolve) => merchant.listen(0, "127.0.0.1", resolve));
  merchantUrl = `http://127.0.0.1:${(merchant.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => merchant.close(() => resolve()));
  await fake.close();
});

async function newIntent(kind: "payment" | "setup"): Promise<{ id: string; secret: string }> {
  const path = kind === "payment" ? "/v1/payment_intents" : "/v1/setup_intents";
  const response = await fetch(`${fake.apiUrl}${path}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${fake.secretKey}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: kind === "payment" ? "amount=1999&currency=usd" : "usage=off_session",
  });
  const intent = await response.json();
  return { id: intent.id, secret: intent.client_secret };
}

async function payWith(card: string, kind: "payment" | "setup" = "payment", deferred = false) {
  const intent = await newIntent(kind);
  const page: Page = await (await browser.newContext()).newPage();
  const query = new URLSearchParams({ kind, secret: intent.secret, pk: fake.publishableKey });
  if (deferred) query.set("deferred", "1");
  await page.goto(`${merchantUrl}/checkout?${query}`);
  await page.getByLabel("Card number").fill(card);
  await page.getByRole("button", { name: "Pay" }).click();
  return { intent, page };
}

const returnedQuery = (page: Page) => Object.fromEntries(new URL(page.url()).searchParams);

describe("fake Stripe.js", () => {
  it("confirms a payment with a test card and lands on the return URL; the number never reaches the merchant", async () => {
    const { intent, page } = await payWith("4242 4242 4242 4242");
    await page.waitForURL(/\/return\?/);
    expect(returnedQuery(page)).toEqual({
      payment_intent: intent.id,
      payment_intent_client_secret: intent.secret,
      redirect_status: "succeeded",
    });
    expect(fake.intent(intent.id)?.status).toBe("succeeded");
    expect(merchantRequests.join("\n")).not.toMatch(/4242\s*4242/);
    await page.goBack();
    // Nameless: even a page whose form posts could not send the number to its server.
    expect(await page.getByLabel("Card number").getAttribute("name")).toBeNull();
  });

  it("shows a decline on the page without leaving it", async () => {
    const { intent, page } = await payWith("4000000000000002");
    await expect
      .poll(() => page.locator("#error").textContent())
      .toBe("card_error card_declined generic_decline");
    expect(page.url()).toContain("/checkout");
    expect(fake.intent(intent.id)).toMatchObject({ status: "requires_payment_method" });
  });

  it("takes the customer through 3-D Secure and back", async () => {
    const { intent, page } = await payWith("4000002500003155");
    await page.getByRole("button", { name: "Complete" }).click();
    await page.waitForURL(/\/return\?/);
    expect(returnedQuery(page)).toMatchObject({ payment_intent: intent.id, redirect_status: "succeeded" });
  });

  it("saves a card with a deferred Elements group and confirmSetup", async () => {
    const { intent, page } = await payWith("5555555555554444", "setup", true);
    await page.waitForURL(/\/return\?/);
    expect(returnedQuery(page)).toMatchObject({ setup_intent: intent.id, redirect_status: "succeeded" });
    expect(fake.intent(intent.id)?.status).toBe("succeeded");
  });

  it("answers a validation error for a number it does not know, before calling Stripe", async () => {
    const before = fake.requests().length;
    const { page } = await payWith("1234");
    await expect.poll(() => page.locator("#error").textContent()).toBe("validation_error invalid_number");
    expect(fake.requests()).toHaveLength(before + 1); // only the test's own create
  });
});
