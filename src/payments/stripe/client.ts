import type Stripe from "stripe";
import { stripeSdk } from "./sdk.js";

/**
 * A Stripe client pinned to the API version this package was generated for, so the shapes its types promise
 * are the shapes the API answers. `apiUrl` points it at another server (the fake in tests).
 */
export function createStripeClient(secretKey: string, options: { apiUrl?: string }): Stripe {
  const Sdk = stripeSdk();
  const config: Stripe.StripeConfig = { apiVersion: Sdk.API_VERSION, maxNetworkRetries: 2 };
  if (options.apiUrl) {
    const url = new URL(options.apiUrl);
    config.host = url.hostname;
    config.protocol = url.protocol === "http:" ? "http" : "https";
    config.port = url.port || (url.protocol === "http:" ? 80 : 443);
  }
  return new Sdk(secretKey, config);
}

/**
 * Checks a secret key with one call before Glade stores it. A key Stripe refuses (unknown, revoked, or a
 * restricted key without access) becomes an Error whose message the caller can show; anything else (Stripe
 * unreachable) is thrown as it came.
 */
export async function verifyStripeKey(client: Stripe): Promise<{ accountId: string; livemode?: boolean }> {
  try {
    const account = await client.accounts.retrieveCurrent();
    return { accountId: account.id };
  } catch (err) {
    if (
      err instanceof stripeSdk().errors.StripeAuthenticationError ||
      err instanceof stripeSdk().errors.StripePermissionError
    ) {
      throw new Error(`Stripe refused the secret key: ${err.message}`);
    }
    throw err;
  }
}
