import { badRequest, type ErrorIssue } from "../lib/errors.js";

/** What a merchant hands Glade to connect its Stripe account for one mode. */
export type StripeKeys = { secretKey: string; publishableKey: string; webhookSecret: string };

/**
 * Stripe's key formats. The characters after the prefix are limited to what Stripe issues, so a key
 * never carries anything into the Authorization header of the verification call but the key; at least 8 of
 * them, so the hint's last 4 are never the whole key.
 */
export const STRIPE_KEY_FORMATS = {
  secretKey: {
    pattern: /^(?:sk|rk)_(test|live)_[A-Za-z0-9_]{8,}$/,
    expected: "sk_test_…, sk_live_…, rk_test_… or rk_live_…",
  },
  publishableKey: { pattern: /^pk_(test|live)_[A-Za-z0-9_]{8,}$/, expected: "pk_test_… or pk_live_…" },
  webhookSecret: { pattern: /^whsec_[A-Za-z0-9_+/=-]{8,}$/, expected: "whsec_…" },
} as const;

/** Stripe's keys are about 100 characters; anything far longer is not one. */
export const MAX_STRIPE_KEY_LENGTH = 255;

const modeName = (livemode: boolean) => (livemode ? "live" : "test");

/** `test` or `live` as the key's prefix says; undefined for a key that is not in Stripe's format. */
function modeOfKey(field: "secretKey" | "publishableKey", key: string): "test" | "live" | undefined {
  const match = STRIPE_KEY_FORMATS[field].pattern.exec(key);
  return match ? (match[1] as "test" | "live") : undefined;
}

/**
 * The keys are Stripe's formats, and both are of the API key's mode: a live-mode Glade key connects live
 * Stripe keys only, a test-mode key test keys only, so test traffic can never move real money and live
 * traffic never lands in a Stripe sandbox. The messages never repeat a key.
 */
export function checkStripeKeys(keys: StripeKeys, livemode: boolean): void {
  const issues: ErrorIssue[] = [];
  for (const field of ["secretKey", "publishableKey", "webhookSecret"] as const) {
    const { pattern, expected } = STRIPE_KEY_FORMATS[field];
    const value = keys[field];
    if (value.length > MAX_STRIPE_KEY_LENGTH || !pattern.test(value)) {
      issues.push({ path: [field], message: `must be a Stripe key of the form ${expected}` });
    }
  }
  if (issues.length === 0) {
    const mode = modeName(livemode);
    for (const field of ["secretKey", "publishableKey"] as const) {
      const keyMode = modeOfKey(field, keys[field]);
      if (keyMode !== mode) {
        issues.push({
          path: [field],
          message: `is a ${keyMode}-mode Stripe key, and this API key is ${mode} mode: a ${mode}-mode API key connects ${mode}-mode Stripe keys only`,
        });
      }
    }
  }
  const [first] = issues;
  if (first) throw badRequest(`${first.path.join(".")} ${first.message}`, issues);
}

/** `sk_test_…4242`: enough for a merchant to tell keys apart, nothing anyone could use. */
export function secretKeyHint(secretKey: string): string {
  const prefix = /^[a-z]+_(?:test|live)_/.exec(secretKey)?.[0] ?? "";
  return `${prefix}…${secretKey.slice(-4)}`;
}
