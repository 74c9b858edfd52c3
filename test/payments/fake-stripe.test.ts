import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { parseStripeEvent } from "../../src/payments/stripe/index.js";
import { startFakeStripe } from "../fixtures/fake-stripe/index.js";

/** The fake Stripe itself, over raw HTTP: what the adapter tests rely on it to do as Stripe does. */
const fake = await startFakeStripe();
afterAll(() => fake.close());

type Call = { method?: string; key?: string; body?: string; idempotencyKey?: string };

async function call(
  path: string,
  { method = "POST", key = fake.secretKey, body, idempotencyKey }: Call = {},
) {
  const headers: Record<string, string> = {
    authorization: `Bearer ${key}`,
    "content-type": "application/x-www-form-urlencoded",
  };
  if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;
  const response = await fetch(`${fake.apiUrl}${path}`, { method, headers, body });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

async function newPaymentIntent() {
  const { json } = await call("/v1/payment_intents", { body: "amount=1999&currency=usd" });
  return { id: String(json.id), secret: String(json.client_secret) };
}

describe("fake Stripe API", () => {
  it("replays a request under the same idempotency key and refuses the key with other parameters", async () => {
    const idempotencyKey = "fake-test-key-1";
    const first = await call("/v1/customers", {
      body: "email=a%40example.com&metadata[plan]=pro",
      idempotencyKey,
    });
    const replay = await call("/v1/customers", {
      body: "metadata[plan]=pro&email=a%40example.com",
      idempotencyKey,
    });
    expect(first.status).toBe(200);
    expect(replay).toMatchObject({ status: 200, json: { id: first.json.id } });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    const changed = await call("/v1/customers", { body: "email=b%40example.com", idempotencyKey });
    expect(changed).toMatchObject({ status: 400, json: { error: { type: "idempotency_error" } } });
    const otherKey = await call("/v1/customers", {
      body: "email=a%40example.com",
      idempotencyKey: "fake-test-key-2",
    });
    expect(otherKey.json.id).not.toBe(first.json.id);
    expect(
      fake
        .requests()
        .filter((r) => r.idempotencyKey === idempotencyKey)
        .map((r) => r.replayed),
    ).toEqual([false, true, false]);
  });

  it("answers a wrong key, a publishable key on a server call and an unknown parameter in Stripe's error shape", async () => {
    const wrongKey = await call("/v1/customers", { key: "sk_test_wrong_key_123456" });
    expect(wrongKey).toMatchObject({ status: 401, json: { error: { type: "invalid_request_error" } } });
    expect(wrongKey.json.error.message).toMatch(/^Invalid API Key provided: sk_test_/);
    const publishable = await call("/v1/customers", { key: fake.publishableKey });
    expect(publishable).toMatchObject({ status: 401, json: { error: { message: /publishable API key/ } } });
    const unknown = await call("/v1/customers", { body: "emial=a%40example.com" });
    expect(unknown).toMatchObject({
      status: 400,
      json: { error: { code: "parameter_unknown", param: "emial" } },
    });
  });

  it("lets Stripe.js confirm and read an intent with the publishable key and its client secret only", async () => {
    const intent = await newPaymentIntent();
    const asPage = (path: string, body: string, method = "POST") =>
      call(path, { key: fake.publishableKey, body, method });
    const wrongSecret = await asPage(
      `/v1/payment_intents/${intent.id}/confirm`,
      "payment_method=pm_card_visa&client_secret=x",
    );
    expect(wrongSecret).toMatchObject({ status: 400, json: { error: { param: "client_secret" } } });
    const declined = await asPage(
      `/v1/payment_intents/${intent.id}/confirm`,
      `payment_method=pm_card_chargeDeclined&client_secret=${intent.secret}`,
    );
    expect(declined).toMatchObject({
      status: 402,
      json: { error: { type: "card_error", code: "card_declined", payment_intent: { id: intent.id } } },
    });
    const paid = await asPage(
      `/v1/payment_intents/${intent.id}/confirm`,
      `payment_method=pm_card_visa&client_secret=${intent.secret}`,
    );
    expect(paid).toMatchObject({ status: 200, json: { status: "succeeded" } });
    const read = await fetch(
      `${fake.apiUrl}/v1/payment_intents/${intent.id}?client_secret=${intent.secret}`,
      {
        headers: { authorization: `Bearer ${fake.publishableKey}` },
      },
    );
    expect(await read.json()).toMatchObject({ id: intent.id, status: "succeeded" });
  });

  it("serves Stripe.js and lets the page's origin call the API", async () => {
    const script = await fetch(fake.stripeJsUrl);
    expect(script.headers.get("content-type")).toMatch(/javascript/);
    expect(await script.text()).toContain("window.Stripe = function Stripe(");
    const preflight = await fetch(`${fake.apiUrl}/v1/payment_intents/pi_x/confirm`, {
      method: "OPTIONS",
      headers: {
        origin: "http://127.0.0.1:1",
        "access-control-request-headers": "authorization,content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/Authorization.*Content-Type/);
  });

  it("sends the customer through its 3-D Secure page and back to the return URL", async () => {
    const intent = await newPaymentIntent();
    const returnUrl = "https://merchant.example/done?session=s1";
    const confirmed = await call(`/v1/payment_intents/${intent.id}/confirm`, {
      body: `payment_method=pm_card_authenticationRequired&return_url=${encodeURIComponent(returnUrl)}`,
    });
    expect(confirmed.json).toMatchObject({
      status: "requires_action",
      next_action: { type: "redirect_to_url" },
    });
    const page = String(confirmed.json.next_action.redirect_to_url.url);
    expect(page.startsWith(fake.apiUrl)).toBe(true);
    const html = await (await fetch(page)).text();
    expect(html).toContain(">Complete<");
    expect(html).toContain(">Fail<");
    const answered = await fetch(page, {
      method: "POST",
      body: "outcome=approve",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      redirect: "manual",
    });
    expect(answered.status).toBe(303);
    const back = new URL(String(answered.headers.get("location")));
    expect(`${back.origin}${back.pathname}`).toBe("https://merchant.example/done");
    expect(Object.fromEntries(back.searchParams)).toEqual({
      session: "s1",
      payment_intent: intent.id,
      payment_intent_client_secret: intent.secret,
      redirect_status: "succeeded",
    });
    expect(fake.intent(intent.id)?.status).toBe("succeeded");
  });

  it("fails the next requests on demand: a 500, or a dropped connection", async () => {
    fake.failNextRequests(1);
    expect(await call("/v1/customers")).toMatchObject({
      status: 500,
      json: { error: { type: "api_error" } },
    });
    fake.failNextRequests(1, "drop");
    await expect(call("/v1/customers")).rejects.toThrow();
    expect((await call("/v1/customers")).status).toBe(200);
  });
});

describe("fake Stripe webhooks", () => {
  it("signs each event and delivers it as it happens, or when the test says, as often as it says", async () => {
    const received: { signature: string; body: string }[] = [];
    const receiver = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      received.push({
        signature: String(req.headers["stripe-signature"]),
        body: Buffer.concat(chunks).toString(),
      });
      res.writeHead(200).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/stripe`;
    const secret = "whsec_fake_test";

    fake.setWebhook({ url, secret });
    const paid = await newPaymentIntent();
    fake.confirm(paid.id, "pm_card_visa");
    await fake.deliveriesSettled();
    expect(received).toHaveLength(1);
    const event = parseStripeEvent(received[0]?.body ?? "", received[0]?.signature ?? "", secret);
    expect(event).toMatchObject({ type: "payment_intent.succeeded", data: { object: { id: paid.id } } });

    fake.setWebhook({ url, secret, auto: false });
    await call("/v1/refunds", { body: `payment_intent=${paid.id}&amount=500` });
    await fake.deliveriesSettled();
    expect(received).toHaveLength(1);
    const refunded = fake.events().at(-1);
    expect(refunded?.type).toBe("charge.refunded");
    await fake.deliver(refunded?.id ?? "");
    const again = await fake.deliver(refunded?.id ?? "");
    expect(again).toMatchObject({ status: 200, type: "charge.refunded" });
    expect(received.map((r) => JSON.parse(r.body).id)).toEqual([event.id, refunded?.id, refunded?.id]);
    fake.setWebhook(undefined);
  });
});
