import { resolveCheckoutPrice } from "../catalog/index.js";
import type { AppDeps, Merchant } from "../context/index.js";
import { type CustomerRow, getCustomerByExternalId } from "../customers/index.js";
import { type CheckoutSessionSource, checkoutSessions } from "../db/schema/index.js";
import { insertStatement } from "../db/statement.js";
import { AppError, badRequest, conflict, notFound } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { multiplyAmount } from "../lib/money.js";
import { checkRedirectUrls } from "../organizations/index.js";
import { getSubscription } from "../subscriptions/index.js";
import { insertPricedSession, type PricedSessionValues } from "./insert-priced-session.js";
import type { CreateCheckoutSessionInput } from "./schemas.js";
import type { CheckoutSessionRow } from "./serialize.js";

const MIN_TTL_MS = 30 * 60 * 1000;
const MAX_TTL_MS = 24 * 60 * 60 * 1000;
const ACTIVATABLE = new Set(["incomplete", "credit_trial", "trialing", "past_due", "unpaid"]);

function resolveExpiry(now: Date, requested: number | undefined): Date {
  if (requested === undefined) return new Date(now.getTime() + MAX_TTL_MS);
  const ttl = requested - now.getTime();
  // A minute of slack on both ends absorbs clock skew between the caller and us.
  if (ttl < MIN_TTL_MS - 60_000 || ttl > MAX_TTL_MS + 60_000) {
    throw badRequest("expiresAt must be between 30 minutes and 24 hours from now");
  }
  return new Date(requested);
}

async function requireCustomer(deps: AppDeps, merchant: Merchant, externalId: string): Promise<CustomerRow> {
  const customer = await getCustomerByExternalId(deps.db, merchant, externalId);
  if (!customer) throw notFound("Customer with externalId", externalId);
  if (customer.archived) throw badRequest(`Customer ${externalId} is archived`);
  return customer;
}

type NewSession = typeof checkoutSessions.$inferInsert;

/** Columns a product session takes from its price, quantity and customer (`productSessionValues` too). */
type ProductColumn =
  | "priceId"
  | "anonymous"
  | "quantity"
  | "customerId"
  | "customerEmail"
  | "customerName"
  | "preserveBillingCycleAnchor";

/**
 * What every new session takes from the request and the clock, whichever statement inserts it. Derived
 * from the priced insert's values, so a new column of the table lands here, one compile error for both
 * paths, unless it is a product column.
 */
type SessionBasics = Omit<PricedSessionValues, ProductColumn>;

function sessionBasics(
  merchant: Merchant,
  input: CreateCheckoutSessionInput,
  source: CheckoutSessionSource,
  now: Date,
  expiresAt: Date,
): SessionBasics {
  return {
    id: newId("checkoutSession"),
    organizationId: merchant.organizationId,
    livemode: merchant.livemode,
    source,
    successUrl: input.successUrl,
    cancelUrl: input.cancelUrl,
    outputMetadata: input.outputMetadata ?? null,
    outputName: input.outputName ?? null,
    discountId: null,
    expiresAt,
    createdAt: now,
    updatedAt: now,
  };
}

/** What a session type does not set itself, so every create sends the same columns (one built statement). */
const SESSION_DEFAULTS = {
  pricingModelId: "",
  anonymous: false,
  priceId: null,
  quantity: 1,
  unitAmount: null,
  currency: null,
  customerId: null,
  customerEmail: null,
  customerName: null,
  targetSubscriptionId: null,
  preserveBillingCycleAnchor: false,
  automaticallyUpdateSubscriptions: null,
} satisfies Partial<NewSession>;

const insertSession = insertStatement("insert_checkout_session", (db, values: NewSession) =>
  db.insert(checkoutSessions).values(values).returning(),
);

type ProductInput = Extract<CreateCheckoutSessionInput, { type: "product" }>;

function checkProductInput(input: ProductInput): void {
  if ((input.priceId === undefined) === (input.priceSlug === undefined)) {
    throw badRequest("Either priceId or priceSlug must be provided, but not both");
  }
  if (input.anonymous === true && input.customerExternalId) {
    throw badRequest("An anonymous checkout session cannot name a customerExternalId");
  }
  if (input.anonymous !== true && !input.customerExternalId) {
    throw badRequest("customerExternalId is required unless anonymous is true");
  }
}

/**
 * The common case, a price id, in one statement that snapshots the price as it inserts (two with a named
 * customer). Undefined when the price cannot be sold as asked: the general path then says exactly why.
 */
async function createPricedProductSession(
  deps: AppDeps,
  input: ProductInput & { priceId: string },
  customer: CustomerRow | undefined,
  basics: SessionBasics,
  customerEmail: string | undefined,
): Promise<CheckoutSessionRow | undefined> {
  // One object literal, not `...basics` plus the product columns: a row of 18 keys assembled by a spread and
  // later stores is a dictionary-mode object in V8 (db/row-shape.ts), and under the create benchmark's profile
  // this function's own time and the GC's went up with it. The type still names every column the insert needs.
  return insertPricedSession(deps.db, {
    id: basics.id,
    organizationId: basics.organizationId,
    livemode: basics.livemode,
    source: basics.source,
    successUrl: basics.successUrl,
    cancelUrl: basics.cancelUrl,
    outputMetadata: basics.outputMetadata,
    outputName: basics.outputName,
    discountId: basics.discountId,
    expiresAt: basics.expiresAt,
    createdAt: basics.createdAt,
    updatedAt: basics.updatedAt,
    priceId: input.priceId,
    anonymous: input.anonymous === true,
    quantity: input.quantity,
    customerId: customer?.id ?? null,
    customerEmail: customer ? customer.email : (customerEmail ?? null),
    customerName: customer?.name ?? null,
    preserveBillingCycleAnchor: input.preserveBillingCycleAnchor ?? false,
  });
}

async function productSessionValues(
  deps: AppDeps,
  merchant: Merchant,
  input: ProductInput,
  customer: CustomerRow | undefined,
  now: Date,
): Promise<Partial<NewSession>> {
  const anonymous = input.anonymous === true;
  const { price, product } = await resolveCheckoutPrice(
    deps.db,
    merchant,
    { priceId: input.priceId, priceSlug: input.priceSlug, pricingModelId: customer?.pricingModelId },
    now,
  );
  if (price.type === "usage") throw badRequest("Usage prices cannot be bought through a checkout session");
  if (!price.active || (product && !product.active)) throw badRequest(`Price ${price.id} is not active`);
  // Refuse totals we cannot represent exactly before anyone is shown them.
  multiplyAmount(price.unitPrice, input.quantity);
  return {
    anonymous,
    priceId: price.id,
    pricingModelId: price.pricingModelId,
    quantity: input.quantity,
    unitAmount: price.unitPrice,
    currency: price.currency,
    customerId: customer?.id ?? null,
    customerEmail: customer?.email ?? null,
    customerName: customer?.name ?? null,
    preserveBillingCycleAnchor: input.preserveBillingCycleAnchor ?? false,
  };
}

async function targetSubscription(deps: AppDeps, merchant: Merchant, customer: CustomerRow, id: string) {
  const subscription = await getSubscription(deps.db, merchant, id);
  // Another customer's subscription is reported exactly like a missing one: no probing across customers.
  if (!subscription || subscription.customerId !== customer.id) throw notFound("Subscription", id);
  if (subscription.status === "canceled" || subscription.status === "incomplete_expired") {
    throw conflict(`Subscription ${id} is ${subscription.status}`);
  }
  return subscription;
}

export async function createCheckoutSession(
  deps: AppDeps,
  merchant: Merchant,
  input: CreateCheckoutSessionInput,
  /** `customerEmail` pre-fills an anonymous session's email field (purchase links' `?email=`). */
  options: { source?: "api" | "purchase_page"; customerEmail?: string } = {},
): Promise<CheckoutSessionRow> {
  const now = deps.now();
  const expiresAt = resolveExpiry(now, input.expiresAt);
  // Live mode takes real money only: without a connected processor there is nothing to pay with, and a
  // live session must never reach the sandbox. (Test mode always has one: the sandbox at least.)
  if (merchant.livemode) await deps.processors.forTenant(merchant);
  await checkRedirectUrls(deps.db, merchant.organizationId, deps.config.publicUrl, [
    input.successUrl,
    input.cancelUrl,
  ]);
  const basics = sessionBasics(merchant, input, options.source ?? "api", now, expiresAt);

  let values: Partial<NewSession>;
  if (input.type === "product") {
    checkProductInput(input);
    const customer = input.customerExternalId
      ? await requireCustomer(deps, merchant, input.customerExternalId)
      : undefined;
    if (input.priceId !== undefined) {
      const created = await createPricedProductSession(
        deps,
        { ...input, priceId: input.priceId },
        customer,
        basics,
        options.customerEmail,
      );
      if (created) return created;
    }
    values = await productSessionValues(deps, merchant, input, customer, now);
  } else {
    const customer = await requireCustomer(deps, merchant, input.customerExternalId);
    const common = {
      customerId: customer.id,
      customerEmail: customer.email,
      customerName: customer.name,
      pricingModelId: customer.pricingModelId,
    };
    if (input.type === "add_payment_method") {
      if (input.targetSubscriptionId)
        await targetSubscription(deps, merchant, customer, input.targetSubscriptionId);
      values = {
        ...common,
        targetSubscriptionId: input.targetSubscriptionId ?? null,
        automaticallyUpdateSubscriptions: input.automaticallyUpdateSubscriptions ?? false,
      };
    } else {
      const subscription = await targetSubscription(deps, merchant, customer, input.targetSubscriptionId);
      if (!ACTIVATABLE.has(subscription.status)) {
        throw new AppError("CONFLICT", `Subscription ${subscription.id} is already ${subscription.status}`);
      }
      values = {
        ...common,
        pricingModelId: subscription.pricingModelId,
        priceId: subscription.priceId,
        targetSubscriptionId: subscription.id,
        preserveBillingCycleAnchor: input.preserveBillingCycleAnchor ?? false,
      };
    }
  }

  // The priced insert, when tried, wrote nothing, so its id is still free.
  const [session] = await insertSession(deps.db, {
    ...basics,
    type: input.type,
    status: "open",
    ...SESSION_DEFAULTS,
    ...values,
    ...(options.customerEmail && !values.customerId ? { customerEmail: options.customerEmail } : {}),
  });
  if (!session) throw new Error("checkout session insert returned nothing");
  return session;
}
