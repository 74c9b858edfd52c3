import { type PriceRow, resolveCheckoutPrice } from "../catalog/index.js";
import type { AppDeps, IntentResult, Merchant } from "../context/index.js";
import { getCustomerByExternalId, getCustomerById } from "../customers/index.js";
import { type CreateInvoiceInput, createInvoice } from "../invoices/index.js";
import { badRequest, notFound } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { multiplyAmount } from "../lib/money.js";
import {
  chargeSavedCard,
  getPaymentMethod,
  listPaymentMethodsForCustomer,
  type PaymentMethodRow,
  paymentDescription,
  recordPayment,
  refundUnrecordedCharge,
} from "../payments/index.js";
import { createSubscription } from "./create-subscription.js";
import type { CreateSubscriptionBody } from "./schemas.js";
import type { SubscriptionRow } from "./serialize.js";

function parseStartDate(raw: string | number | undefined, now: Date): Date {
  if (raw === undefined) return now;
  const date = new Date(raw);
  const year = date.getUTCFullYear();
  if (Number.isNaN(date.getTime()) || year < 1970 || year > 9998) {
    throw badRequest("startDate must be an ISO 8601 date-time between 1970 and 9998");
  }
  return date;
}

async function requireCustomer(deps: AppDeps, merchant: Merchant, body: CreateSubscriptionBody) {
  const customer = body.customerId
    ? await getCustomerById(deps.db, merchant, body.customerId)
    : await getCustomerByExternalId(deps.db, merchant, body.customerExternalId ?? "");
  if (!customer) throw notFound("Customer", body.customerId ?? body.customerExternalId);
  if (customer.archived) throw badRequest(`Customer ${customer.id} is archived`);
  return customer;
}

async function requireSubscriptionPrice(
  deps: AppDeps,
  merchant: Merchant,
  body: CreateSubscriptionBody,
  pricingModelId: string,
  now: Date,
): Promise<PriceRow> {
  const { price } = await resolveCheckoutPrice(
    deps.db,
    merchant,
    { priceId: body.priceId, priceSlug: body.priceSlug, pricingModelId },
    now,
  );
  if (price.type !== "subscription") {
    throw badRequest(`Price ${price.id} is a ${price.type} price; a subscription needs a subscription price`);
  }
  if (!price.active) throw badRequest(`Price ${price.id} is not active`);
  return price;
}

async function requireMethod(
  deps: AppDeps,
  merchant: Merchant,
  customerId: string,
  id: string | undefined,
): Promise<PaymentMethodRow | undefined> {
  if (id === undefined) return undefined;
  const method = await getPaymentMethod(deps.db, merchant, id);
  if (!method) throw notFound("Payment method", id);
  if (method.customerId !== customerId) {
    throw badRequest(`Payment method ${id} does not belong to customer ${customerId}`);
  }
  return method;
}

/**
 * The card the subscription is charged to: the one the request names, else the customer's default card (a
 * card on file is what the customer agreed to be charged with off-session; Flowglad bills it the same way).
 */
async function chosenMethod(
  deps: AppDeps,
  merchant: Merchant,
  customerId: string,
  body: CreateSubscriptionBody,
): Promise<PaymentMethodRow | undefined> {
  const named = await requireMethod(deps, merchant, customerId, body.defaultPaymentMethodId);
  if (named) return named;
  const methods = await listPaymentMethodsForCustomer(deps.db, merchant, customerId);
  return methods.find((method) => method.isDefault);
}

/**
 * POST /subscriptions. The outcome depends on what the merchant gave us:
 * - a future `trialEnd`: trialing, nothing charged;
 * - `doNotCharge` or a free price: active, nothing charged;
 * - a card (the one named, else the customer's default): the first period is charged now off-session, as a
 *   renewal would be. Paid: active, with a paid invoice and its payment. Declined: `incomplete` with the
 *   first period's invoice open and the failed payment on it (`payment.failed` says why), for an activation
 *   checkout to pay, as without a card;
 * - no card: `incomplete` with an open invoice for the first period, for an activation checkout to pay.
 * A retried request with the same Idempotency-Key gets the first answer back (the middleware replays it), so
 * it is never charged twice; the processor call itself is keyed on the new subscription's id.
 */
export async function startSubscription(
  deps: AppDeps,
  merchant: Merchant,
  body: CreateSubscriptionBody,
): Promise<SubscriptionRow> {
  const now = deps.now();
  const customer = await requireCustomer(deps, merchant, body);
  const price = await requireSubscriptionPrice(deps, merchant, body, customer.pricingModelId, now);
  const method = await chosenMethod(deps, merchant, customer.id, body);
  await requireMethod(deps, merchant, customer.id, body.backupPaymentMethodId);

  const startDate = parseStartDate(body.startDate, now);
  const trialEnd = body.trialEnd === undefined ? null : new Date(body.trialEnd);
  if (trialEnd && trialEnd <= now) throw badRequest("trialEnd must be in the future");
  if (trialEnd && trialEnd <= startDate) throw badRequest("trialEnd must be after startDate");

  const amount = multiplyAmount(price.unitPrice, body.quantity);
  const subscriptionId = newId("subscription");
  const base = {
    id: subscriptionId,
    customerId: customer.id,
    price,
    quantity: body.quantity,
    startDate,
    trialEnd,
    defaultPaymentMethodId: method?.id ?? null,
    backupPaymentMethodId: body.backupPaymentMethodId ?? null,
    doNotCharge: body.doNotCharge ?? false,
    name: body.name ?? null,
    metadata: body.metadata ?? null,
  };
  /** The first period's invoice: open and due at the start when unpaid, paid when the card was charged. */
  const firstInvoice = (details: Pick<CreateInvoiceInput, "status" | "dueDate" | "billingPeriodId">) => ({
    customerId: customer.id,
    pricingModelId: price.pricingModelId,
    type: "subscription" as const,
    currency: price.currency,
    lines: [
      {
        priceId: price.id,
        description: body.name ?? price.name ?? "Subscription",
        quantity: body.quantity,
        unitPrice: price.unitPrice,
      },
    ],
    subscriptionId,
    ...details,
  });
  /** What a charge attempt became, recorded against the first invoice. */
  const payment = (
    intent: IntentResult,
    paid: PaymentMethodRow,
    invoiceId: string,
    billingPeriodId: string | null,
  ) => ({
    customerId: customer.id,
    pricingModelId: price.pricingModelId,
    amount: intent.amount,
    currency: intent.currency,
    status: intent.status === "succeeded" ? ("succeeded" as const) : ("failed" as const),
    processor: paid.processor,
    processorIntentId: intent.intentId,
    invoiceId,
    subscriptionId,
    billingPeriodId,
    description: paymentDescription(body.name ?? price.name ?? "Subscription", body.quantity),
    paymentMethodId: paid.id,
    failureCode: intent.failure?.code,
    failureMessage: intent.failure?.message,
  });
  /** Incomplete, its first period owed on an open invoice; with the declined attempt when there was one. */
  const startIncomplete = (declined?: { intent: IntentResult; method: PaymentMethodRow }) =>
    deps.db.transaction(async (tx) => {
      const { subscription, billingPeriod } = await createSubscription(
        tx,
        merchant,
        { ...base, status: "incomplete" },
        now,
      );
      const billingPeriodId = billingPeriod?.id ?? null;
      const { invoice } = await createInvoice(
        tx,
        merchant,
        firstInvoice({ status: "open", dueDate: startDate, billingPeriodId }),
        now,
      );
      if (declined) {
        const attempt = payment(declined.intent, declined.method, invoice.id, billingPeriodId);
        await recordPayment(tx, merchant, attempt, now);
      }
      return subscription;
    });

  if (trialEnd) {
    return deps.db.transaction(
      async (tx) =>
        (await createSubscription(tx, merchant, { ...base, status: "trialing" }, now)).subscription,
    );
  }
  if (body.doNotCharge || amount === 0) {
    return deps.db.transaction(
      async (tx) => (await createSubscription(tx, merchant, { ...base, status: "active" }, now)).subscription,
    );
  }
  if (!method) return startIncomplete();

  const intent = await chargeSavedCard(deps, merchant, method, {
    amount,
    currency: price.currency,
    idempotencyKey: `subscription_start:${subscriptionId}`,
    metadata: { subscriptionId },
  });
  if (intent.status !== "succeeded") return startIncomplete({ intent, method });
  try {
    return await deps.db.transaction(async (tx) => {
      const { subscription, billingPeriod } = await createSubscription(
        tx,
        merchant,
        { ...base, status: "active" },
        now,
      );
      const billingPeriodId = billingPeriod?.id ?? null;
      const { invoice } = await createInvoice(
        tx,
        merchant,
        firstInvoice({ status: "paid", billingPeriodId }),
        now,
      );
      await recordPayment(tx, merchant, payment(intent, method, invoice.id, billingPeriodId), now);
      return subscription;
    });
  } catch (err) {
    // The card was charged but nothing was recorded: give the money back rather than keep it unaccounted.
    await refundUnrecordedCharge(deps, merchant, method.processor, intent);
    throw err;
  }
}
