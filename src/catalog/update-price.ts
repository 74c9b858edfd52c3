import { and, eq } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { prices } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { badRequest, type ErrorIssue, panic } from "../lib/errors.js";
import { unsetOtherDefaultPrices, unsetOtherMeterDefaultPrices } from "./create-price.js";
import type { PriceInput } from "./price-terms.js";
import { requirePrice } from "./queries.js";
import type { PriceRow } from "./serialize.js";
import { priceSlugTaken } from "./unique-violation.js";

export type UpdatePriceInput = Partial<PriceInput> & {
  id?: string | undefined;
  productId?: string | null | undefined;
};

/**
 * What was charged must stay explainable: subscriptions and invoices point at prices, so the charging terms
 * are frozen. Resending the current value is fine (clients often echo the whole object); a change is refused.
 */
const FROZEN = [
  "type",
  "productId",
  "unitPrice",
  "currency",
  "intervalUnit",
  "intervalCount",
  "trialPeriodDays",
  "usageMeterId",
  "usageEventsPerUnit",
] as const;

/** Mutable fields of an existing price: name, slug, active, isDefault, purchasePageEnabled. */
export async function applyPriceChanges(
  tx: Executor,
  merchant: Merchant,
  current: PriceRow,
  input: Pick<PriceInput, "name" | "slug" | "active" | "isDefault" | "purchasePageEnabled">,
  now: Date,
): Promise<PriceRow> {
  if (input.isDefault === false && current.isDefault && current.productId) {
    throw badRequest("A product's default price cannot be unset; make another price the default instead");
  }
  const becomesDefault = input.isDefault === true && !current.isDefault && current.productId !== null;
  if (becomesDefault && current.productId)
    await unsetOtherDefaultPrices(tx, merchant, current.productId, current.id, now);
  if (input.isDefault === true && !current.isDefault && !current.productId && current.usageMeterId) {
    await unsetOtherMeterDefaultPrices(tx, merchant, current.usageMeterId, current.id, now);
  }
  const [row] = await tx
    .update(prices)
    .set({
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.slug !== undefined ? { slug: input.slug } : {}),
      ...(input.active !== undefined ? { active: input.active } : {}),
      ...(input.purchasePageEnabled !== undefined ? { purchasePageEnabled: input.purchasePageEnabled } : {}),
      ...(input.isDefault !== undefined && current.productId === null ? { isDefault: input.isDefault } : {}),
      ...(becomesDefault ? { isDefault: true } : {}),
      updatedAt: now,
    })
    .where(and(eq(prices.id, current.id), ownedBy(prices, merchant)))
    .returning()
    .catch(priceSlugTaken(input.slug));
  if (!row) panic("price update returned nothing");
  return row;
}

export async function updatePrice(
  tx: Executor,
  merchant: Merchant,
  priceId: string,
  input: UpdatePriceInput,
  now: Date,
): Promise<PriceRow> {
  if (input.id !== undefined && input.id !== priceId) throw badRequest("price.id does not match the URL");
  const current = await requirePrice(tx, merchant, priceId);
  const issues: ErrorIssue[] = [];
  for (const field of FROZEN) {
    const requested = field === "currency" ? input.currency?.toUpperCase() : input[field];
    if (requested !== undefined && requested !== current[field]) {
      issues.push({ path: ["price", field], message: `${field} cannot change after a price is created` });
    }
  }
  const first = issues[0];
  if (first) {
    throw badRequest(
      `${first.message}: create a new price instead (prices are referenced by subscriptions and invoices)`,
      issues,
    );
  }
  return applyPriceChanges(tx, merchant, current, input, now);
}
