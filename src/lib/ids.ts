import { createHash, randomFillSync } from "node:crypto";

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
  processorConnection: "pconn",
  processorIntent: "sbx_intent",
  processorMethod: "sbx_pm",
  request: "req",
  usageMeter: "usage_meter",
  feature: "feature",
  productFeature: "product_feature",
  subscriptionItemFeature: "sub_feature",
  resource: "resource",
  resourceClaim: "resource_claim",
  usageEvent: "usage_event",
  usageCreditApplication: "usage_credit_app",
  discount: "discount",
  discountRedemption: "discount_redemption",
  billingPortalLink: "bpl",
  billingPortalSession: "bps",
  dashboardUser: "usr",
  membership: "mbr",
  dashboardSession: "dsess",
  dashboardSignInLink: "dlink",
  auditEntry: "audit",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * CSPRNG bytes drawn from a pool refilled 8 KiB at a time: a request mints several ids, and one
 * randomFillSync call per id was ~4 % of a checkout's CPU. (Node's own randomUUID batches the same way.)
 */
const POOL_SIZE = 8192;
const pool = Buffer.alloc(POOL_SIZE);
let poolOffset = POOL_SIZE;

function randomByte(): number {
  if (poolOffset === POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  return pool[poolOffset++] as number;
}

/** Random base62 string; 22 characters carry ~131 bits, enough to be unguessable. */
export function randomToken(length = 22): string {
  let out = "";
  while (out.length < length) {
    const byte = randomByte();
    // Rejection sampling keeps the distribution uniform (248 = 4 * 62).
    if (byte < 248) out += ALPHABET[byte % 62];
  }
  return out;
}

export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${randomToken()}`;
}

/** `bytes` random bytes from the same pool, as uppercase hex (an invoice number base, for instance). */
export function randomHex(bytes: number): string {
  let out = "";
  for (let i = 0; i < bytes; i++) out += randomByte().toString(16).padStart(2, "0");
  return out.toUpperCase();
}

/**
 * An id that the same seed always gives: for records derived rather than stored (a product feature's grant
 * to a subscription item), so every read names them alike and a later override can be stored under it.
 */
export function derivedId(kind: IdKind, seed: string): string {
  const digest = createHash("sha256").update(seed).digest();
  let out = "";
  for (let i = 0; out.length < 22; i++) out += ALPHABET[(digest[i % digest.length] as number) % 62];
  return `${ID_PREFIXES[kind]}_${out}`;
}
