import type { FakeStripe, TestPaymentMethod } from "../fixtures/fake-stripe/index.js";

/**
 * The buyer's side of the Stripe crash suite, without a browser: the Stripe-mode page's pay button and
 * return, what Stripe.js does at Stripe, and Stripe's webhook retries.
 */

export const intentIdOf = (secret: string) => secret.split("_secret_")[0] ?? "";

/** The buyer's card: plain, declined, or 3-D Secure answered either way. */
export type Card = TestPaymentMethod | "3ds_approve" | "3ds_deny";
export const CARDS: Card[] = [
  "pm_card_visa",
  "pm_card_visa",
  "pm_card_chargeDeclined",
  "3ds_approve",
  "3ds_deny",
];

/** What Stripe.js does in the buyer's browser: confirm (and authenticate); "refused" if Stripe would not. */
export function confirmAsStripeJs(
  fake: FakeStripe,
  intentId: string,
  card: Card,
): "succeeded" | "declined" | "refused" {
  try {
    const method = card === "3ds_approve" || card === "3ds_deny" ? "pm_card_authenticationRequired" : card;
    let intent = fake.confirm(intentId, method);
    if (intent.status === "requires_action")
      intent = fake.authenticate(intentId, card === "3ds_approve" ? "approve" : "deny");
    return intent.status === "succeeded" ? "succeeded" : "declined";
  } catch {
    return "refused";
  }
}

export type IntentAnswer = { clientSecret?: string; redirect?: string; error?: string } | "cut";

/** The pay button of the Stripe-mode page (what stripe-checkout.js posts); "cut" if no answer came. */
export function askForIntent(base: string, sessionId: string): Promise<IntentAnswer> {
  return fetch(`${base}/checkout/${sessionId}/intent`, {
    method: "POST",
    body: new URLSearchParams({
      email: `${sessionId.slice(-8)}@example.com`,
      name: "Crash Buyer",
      country: "US",
    }),
    headers: { accept: "application/json" },
  }).then(
    (res) =>
      res.json().then(
        (body) => body as IntentAnswer,
        () => "cut" as const,
      ),
    () => "cut" as const,
  );
}

/** Stripe sends the buyer back to Glade's return page: where Glade sends them next, or "cut". */
export function comeBack(base: string, sessionId: string): Promise<string> {
  return fetch(`${base}/checkout/${sessionId}/return`, { redirect: "manual" }).then(
    (res) => res.headers.get("location") ?? String(res.status),
    () => "cut",
  );
}

/**
 * Stripe's retries: every event about the intent not yet answered 2xx (`duplicates`: every one, again),
 * in order. Answers the deliveries that still failed.
 */
export async function redeliverEvents(fake: FakeStripe, intentId: string, duplicates: boolean) {
  const failed: { type: string; status?: number; error?: string }[] = [];
  const events = fake.events().filter((e) => (e.data.object as { id?: string }).id === intentId);
  for (const event of events) {
    const answered = fake.deliveries().some((d) => d.eventId === event.id && d.status === 200);
    if (answered && !duplicates) continue;
    const delivery = await fake.deliver(event.id);
    if (delivery.status !== 200) failed.push(delivery);
  }
  return failed;
}
