import { randomBytes } from "node:crypto";

/** Wire prefixes, following Flowglad where it has one (`chckt_session_`, `cus_`, `price_`). */
export const ID_PREFIXES = {
  organization: "org",
  apiKey: "apikey",
  pricingModel: "pricing_model",
  product: "prod",
  price: "price",
  customer: "cus",
  checkoutSession: "chckt_session",
  paymentMethod: "pm",
  payment: "pymt",
  invoice: "inv",
  invoiceLineItem: "invli",
  purchase: "prch",
  subscription: "sub",
  subscriptionItem: "si",
  billingPeriod: "bp",
  event: "evt",
  webhookEndpoint: "webhook",
  webhookDelivery: "whdel",
  webhookAttempt: "whatt",
  processorIntent: "sbx_intent",
  processorMethod: "sbx_pm",
  request: "req",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Random base62 string; 22 characters carry ~131 bits, enough to be unguessable. */
export function randomToken(length = 22): string {
  const bytes = randomBytes(length * 2);
  let out = "";
  for (let i = 0; i < bytes.length && out.length < length; i++) {
    const byte = bytes[i] as number;
    // Rejection sampling keeps the distribution uniform (248 = 4 * 62).
    if (byte < 248) out += ALPHABET[byte % 62];
  }
  return out.length === length ? out : out + randomToken(length - out.length);
}

export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${randomToken()}`;
}
