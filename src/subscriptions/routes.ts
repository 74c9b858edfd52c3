import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import type { AppDeps } from "../context/index.js";
import { listTenantPage } from "../db/list.js";
import { subscriptions } from "../db/schema/index.js";
import { errorResponses, jsonBody, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { notFound } from "../lib/errors.js";
import { ListQuery } from "../lib/pagination.js";
import { listEnvelope } from "../lib/wire.js";
import { adjustSubscription } from "./adjust-subscription.js";
import { cancelScheduledAdjustment } from "./cancel-scheduled-adjustment.js";
import { cancelSubscription, uncancelSubscription } from "./cancel-subscription.js";
import { createSubscriptionExamples } from "./examples.js";
import { previewAdjustment } from "./preview-adjustment.js";
import { getSubscription, serializedItemPrices } from "./queries.js";
import {
  AdjustSubscriptionBody,
  AdjustSubscriptionResponse,
  CancelSubscriptionBody,
  CreateSubscriptionBody,
  PreviewAdjustmentResponse,
  SubscriptionEnvelope,
  SubscriptionRecord,
  SubscriptionWithItemsResponse,
} from "./schemas.js";
import { serializeSubscription, serializeSubscriptionItem } from "./serialize.js";
import { startSubscription } from "./start-subscription.js";

const IdParams = z.object({ id: z.string().min(1).max(200) });

const SubscriptionList = listEnvelope(SubscriptionRecord, "SubscriptionList");

const createSubscriptionRoute = createRoute({
  method: "post",
  path: "/api/v1/subscriptions",
  tags: ["Subscriptions"],
  security: [{ secretKey: [] }],
  summary: "Create a subscription (charged, trialing, or incomplete awaiting payment)",
  request: { body: jsonBody(CreateSubscriptionBody, undefined, createSubscriptionExamples) },
  responses: {
    200: jsonResponse(SubscriptionEnvelope, "The new subscription"),
    ...errorResponses("NOT_FOUND"),
  },
});

const listSubscriptionsRoute = createRoute({
  method: "get",
  path: "/api/v1/subscriptions",
  tags: ["Subscriptions"],
  security: [{ secretKey: [] }],
  summary: "List subscriptions",
  request: { query: ListQuery.extend({ customerId: z.string().min(1).max(200).optional() }) },
  responses: { 200: jsonResponse(SubscriptionList, "A page of subscriptions"), ...errorResponses() },
});

const getSubscriptionRoute = createRoute({
  method: "get",
  path: "/api/v1/subscriptions/{id}",
  tags: ["Subscriptions"],
  security: [{ secretKey: [] }],
  summary: "Retrieve a subscription",
  request: { params: IdParams },
  responses: {
    200: jsonResponse(SubscriptionEnvelope, "The subscription"),
    ...errorResponses("NOT_FOUND"),
  },
});

const cancelSubscriptionRoute = createRoute({
  method: "post",
  path: "/api/v1/subscriptions/{id}/cancel",
  tags: ["Subscriptions"],
  security: [{ secretKey: [] }],
  summary: "Cancel a subscription now or at the end of its current billing period",
  request: { params: IdParams, body: jsonBody(CancelSubscriptionBody) },
  responses: {
    200: jsonResponse(SubscriptionEnvelope, "The canceled or cancellation-scheduled subscription"),
    ...errorResponses("NOT_FOUND"),
  },
});

const uncancelSubscriptionRoute = createRoute({
  method: "post",
  path: "/api/v1/subscriptions/{id}/uncancel",
  tags: ["Subscriptions"],
  security: [{ secretKey: [] }],
  summary: "Take back a scheduled cancellation",
  request: { params: IdParams, body: { ...jsonBody(z.object({})), required: false } },
  responses: {
    200: jsonResponse(SubscriptionEnvelope, "The subscription"),
    ...errorResponses("NOT_FOUND"),
  },
});

const adjustSubscriptionRoute = createRoute({
  method: "post",
  path: "/api/v1/subscriptions/{id}/adjust",
  tags: ["Subscriptions"],
  security: [{ secretKey: [] }],
  summary:
    "Change the subscription's items (prices and quantities) now or at the end of the current billing period; an immediate upgrade is charged the prorated difference, a downgrade is never credited",
  description:
    "newSubscriptionItems is the whole new set (1-100 entries, each priceId or priceSlug with quantity 1-10000, each price once): active subscription prices of the same pricing model, interval and currency. Entries repeating an item in force (same price and quantity) keep it. timing auto applies upgrades (the new set costs more per period) immediately and everything else at the period end. Only active, trialing and past_due subscriptions can change; a scheduled cancellation must be taken back first. Glade keeps no credit balance, so downgrades are not credited.",
  request: { params: IdParams, body: jsonBody(AdjustSubscriptionBody) },
  responses: {
    200: jsonResponse(AdjustSubscriptionResponse, "The subscription and its items in force after the change"),
    ...errorResponses("NOT_FOUND", "CONFLICT", "PAYMENT_REQUIRED"),
  },
});

const previewAdjustRoute = createRoute({
  method: "post",
  path: "/api/v1/subscriptions/{id}/preview-adjust",
  tags: ["Subscriptions"],
  security: [{ secretKey: [] }],
  summary: "Preview an adjustment: what adjust would do now with the same body, writing nothing",
  description:
    "Takes adjust's body and answers its resolved timing, whether it is an upgrade, the proration adjust would charge now (minor units; 0 when scheduled or when nothing is charged) with its breakdown, the effective date, and the current and new items. Refuses what adjust would refuse, with the same errors.",
  request: { params: IdParams, body: jsonBody(AdjustSubscriptionBody) },
  responses: {
    200: jsonResponse(PreviewAdjustmentResponse, "What the adjustment would do"),
    ...errorResponses("NOT_FOUND", "CONFLICT"),
  },
});

const cancelScheduledAdjustmentRoute = createRoute({
  method: "post",
  path: "/api/v1/subscriptions/{id}/cancel-scheduled-adjustment",
  tags: ["Subscriptions"],
  security: [{ secretKey: [] }],
  summary: "Take back a change scheduled for the end of the current billing period",
  description:
    "The scheduled items never start and the items in force run on. 409 when no change is scheduled (also once the period end has passed: the change has started).",
  request: { params: IdParams, body: { ...jsonBody(z.object({})), required: false } },
  responses: {
    200: jsonResponse(SubscriptionWithItemsResponse, "The subscription and its items in force"),
    ...errorResponses("NOT_FOUND", "CONFLICT"),
  },
});

export function registerSubscriptionRoutes(app: App, deps: AppDeps): void {
  app.openapi(createSubscriptionRoute, async (c) => {
    const row = await startSubscription(deps, c.get("merchant"), c.req.valid("json"));
    return c.json({ subscription: serializeSubscription(row) }, 200);
  });

  app.openapi(listSubscriptionsRoute, async (c) => {
    const { customerId, ...query } = c.req.valid("query");
    const page = await listTenantPage(
      deps.db,
      subscriptions,
      c.get("merchant"),
      query,
      serializeSubscription,
      customerId === undefined ? undefined : eq(subscriptions.customerId, customerId),
    );
    return c.json(page, 200);
  });

  app.openapi(getSubscriptionRoute, async (c) => {
    const { id } = c.req.valid("param");
    const row = await getSubscription(deps.db, c.get("merchant"), id);
    if (!row) throw notFound("Subscription", id);
    return c.json({ subscription: serializeSubscription(row) }, 200);
  });

  app.openapi(cancelSubscriptionRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { cancellation } = c.req.valid("json");
    const row = await cancelSubscription(deps, c.get("merchant"), id, cancellation.timing);
    return c.json({ subscription: serializeSubscription(row) }, 200);
  });

  app.openapi(adjustSubscriptionRoute, async (c) => {
    const merchant = c.get("merchant");
    const { id } = c.req.valid("param");
    const { adjustment } = c.req.valid("json");
    const adjusted = await adjustSubscription(deps, merchant, id, adjustment);
    const prices = await serializedItemPrices(deps.db, merchant, adjusted.items);
    return c.json(
      {
        subscription: serializeSubscription(adjusted.subscription),
        subscriptionItems: adjusted.items.map((item) =>
          serializeSubscriptionItem(item, adjusted.subscription.pricingModelId, prices.get(item.priceId)),
        ),
        isUpgrade: adjusted.isUpgrade,
        resolvedTiming: adjusted.resolvedTiming,
      },
      200,
    );
  });

  app.openapi(previewAdjustRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { adjustment } = c.req.valid("json");
    return c.json(await previewAdjustment(deps, c.get("merchant"), id, adjustment), 200);
  });

  app.openapi(cancelScheduledAdjustmentRoute, async (c) => {
    const merchant = c.get("merchant");
    const { id } = c.req.valid("param");
    const { subscription, items } = await cancelScheduledAdjustment(deps, merchant, id);
    const prices = await serializedItemPrices(deps.db, merchant, items);
    return c.json(
      {
        subscription: serializeSubscription(subscription),
        subscriptionItems: items.map((item) =>
          serializeSubscriptionItem(item, subscription.pricingModelId, prices.get(item.priceId)),
        ),
      },
      200,
    );
  });

  app.openapi(uncancelSubscriptionRoute, async (c) => {
    const { id } = c.req.valid("param");
    const row = await uncancelSubscription(deps, c.get("merchant"), id);
    return c.json({ subscription: serializeSubscription(row) }, 200);
  });
}
