import { and, eq, ne, sql } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { pricingModels } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { uniqueViolationConstraint } from "../db/unique-violation.js";
import { AppError, badRequest, panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { findDefaultPricingModel, requirePricingModel } from "./queries.js";
import type { PricingModelRow } from "./serialize.js";

export const DEFAULT_PRICING_MODEL_NAME = "Default";

/** The org+mode default pricing model, created on first use so every tenant always has one. */
export async function ensureDefaultPricingModel(
  db: Executor,
  merchant: Merchant,
  now: Date,
): Promise<PricingModelRow> {
  const existing = await findDefaultPricingModel(db, merchant);
  if (existing) return existing;
  // A concurrent first request may create it too: the partial unique index picks one winner, the loser reads it.
  const [inserted] = await db
    .insert(pricingModels)
    .values({
      id: newId("pricingModel"),
      organizationId: merchant.organizationId,
      livemode: merchant.livemode,
      name: DEFAULT_PRICING_MODEL_NAME,
      isDefault: true,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning();
  if (inserted) return inserted;
  const winner = await findDefaultPricingModel(db, merchant);
  if (!winner)
    throw new AppError("CONFLICT", "Default pricing model is being changed, retry", { retryable: true });
  return winner;
}

/**
 * Makes `pricingModelId` the only default of its org+mode. Callers hold a transaction: the advisory lock
 * serialises concurrent default switches so the unique partial index never sees two defaults.
 */
async function makeSoleDefault(
  tx: Executor,
  merchant: Merchant,
  pricingModelId: string,
  now: Date,
): Promise<void> {
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtextextended(${`default_pricing_model:${merchant.organizationId}:${merchant.livemode}`}, 0))`,
  );
  await tx
    .update(pricingModels)
    .set({ isDefault: false, updatedAt: now })
    .where(
      and(
        ownedBy(pricingModels, merchant),
        eq(pricingModels.isDefault, true),
        ne(pricingModels.id, pricingModelId),
      ),
    );
}

function defaultRace(err: unknown): never {
  if (uniqueViolationConstraint(err) === "pricing_models_one_default") {
    throw new AppError("CONFLICT", "Another default pricing model was set at the same time, retry", {
      retryable: true,
    });
  }
  throw err;
}

export async function createPricingModel(
  tx: Executor,
  merchant: Merchant,
  input: { name: string; isDefault?: boolean | undefined },
  now: Date,
): Promise<PricingModelRow> {
  const id = newId("pricingModel");
  if (input.isDefault) await makeSoleDefault(tx, merchant, id, now);
  const [row] = await tx
    .insert(pricingModels)
    .values({
      id,
      organizationId: merchant.organizationId,
      livemode: merchant.livemode,
      name: input.name,
      isDefault: input.isDefault ?? false,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .catch(defaultRace);
  if (!row) panic("pricing model insert returned nothing");
  return row;
}

export async function updatePricingModel(
  tx: Executor,
  merchant: Merchant,
  id: string,
  input: { id?: string | undefined; name?: string | undefined; isDefault?: boolean | undefined },
  now: Date,
): Promise<PricingModelRow> {
  if (input.id !== undefined && input.id !== id) throw badRequest("pricingModel.id does not match the URL");
  const current = await requirePricingModel(tx, merchant, id);
  if (input.isDefault === false && current.isDefault) {
    throw badRequest(
      "The default pricing model cannot be unset; make another pricing model the default instead",
    );
  }
  const becomesDefault = input.isDefault === true && !current.isDefault;
  if (becomesDefault) await makeSoleDefault(tx, merchant, id, now);
  const [row] = await tx
    .update(pricingModels)
    .set({
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(becomesDefault ? { isDefault: true } : {}),
      updatedAt: now,
    })
    .where(and(eq(pricingModels.id, id), ownedBy(pricingModels, merchant)))
    .returning()
    .catch(defaultRace);
  if (!row) panic("pricing model update returned nothing");
  return row;
}
