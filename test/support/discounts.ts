import { type ApiClient, ok } from "./api.js";
import type { CatalogFixture } from "./catalog.js";

/** Discount codes, and the hosted page's code field driven as the browser drives it. */

export type DiscountBody = {
  code: string;
  amountType: "fixed" | "percent";
  amount: number;
  duration: "once" | "forever" | "number_of_payments";
  numberOfPayments?: number;
  pricingModelId?: string;
};

/** A discount in the fixture's pricing model (unless `body` names another), created through the API. */
export async function createDiscountCode(
  ctx: ApiClient,
  f: CatalogFixture,
  body: DiscountBody,
  key = f.merchant.testKey,
): Promise<{ id: string; code: string }> {
  const res = await ok(
    ctx.api("POST", "/api/v1/discounts", {
      key,
      body: { discount: { name: body.code, pricingModelId: f.pricingModelId, ...body } },
    }),
  );
  return res.discount;
}

/**
 * Tries a code on the hosted page: as its script does (a form post asking for JSON), or with `html` as a
 * browser without the script does, posting the pay form's other fields along.
 */
export function tryDiscountCode(
  ctx: ApiClient,
  sessionId: string,
  code: string,
  options: { action?: "apply" | "remove"; html?: boolean; fields?: Record<string, string> } = {},
) {
  const body = new URLSearchParams({ ...options.fields, code, action: options.action ?? "apply" });
  return ctx.api("POST", `/checkout/${sessionId}/discount`, {
    rawBody: body.toString(),
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      accept: options.html ? "text/html" : "application/json",
    },
  });
}
