// The webhook pages as the GETs show them and as the POSTs show them again (with an error, or the secret).
import type { Context } from "hono";
import { renderWebhookPage } from "../../web/dashboard/webhook-page.js";
import {
  type EndpointErrors,
  type EndpointFields,
  renderWebhooksPage,
  WEBHOOKS_PATH,
} from "../../web/dashboard/webhooks-page.js";
import type { AppDeps } from "../context/index.js";
import { AppError } from "../lib/errors.js";
import {
  EVENT_TYPES,
  getEventsByIds,
  listDeliveries,
  listWebhookEndpoints,
  type WebhookEndpointRow,
} from "../webhooks/index.js";
import type { Visitor } from "./access.js";
import { when } from "./format.js";
import { canChange, frameFor, messagePage, visitorMerchant } from "./routes-visitor.js";
import { deliveryView, EMPTY_ENDPOINT, endpointFieldsOf, endpointView, typesLabel } from "./webhook-views.js";

const ENDPOINTS_PER_PAGE = 25;
const DELIVERIES_PER_PAGE = 20;

export async function webhooksPage(
  deps: AppDeps,
  visitor: Visitor,
  extra: { cursor?: string | undefined; form?: EndpointFields; errors?: EndpointErrors } = {},
) {
  const page = await listWebhookEndpoints(deps.db, visitorMerchant(visitor), {
    cursor: extra.cursor,
    limit: ENDPOINTS_PER_PAGE,
  });
  return renderWebhooksPage(await frameFor(deps, visitor, WEBHOOKS_PATH), {
    endpoints: page.data.map((row) => ({
      id: row.id,
      url: row.url,
      types: typesLabel(row.eventTypes),
      active: row.active,
      created: when(row.createdAt),
    })),
    next: page.nextCursor ?? null,
    canChange: canChange(visitor),
    eventTypes: EVENT_TYPES,
    form: extra.form ?? EMPTY_ENDPOINT,
    errors: extra.errors ?? {},
  });
}

/** Fixed texts for `?notice=`: the address never carries text of its own onto the page. */
export const NOTICES = {
  created: "Endpoint added. Reveal its signing secret below to verify what Glade sends.",
  saved: "Changes saved.",
  rotated:
    "Signing secret rotated: deliveries from now on are signed with the new one. Reveal it to copy it.",
  redelivered: "The event is queued again for this endpoint; the new attempt appears below once it is sent.",
  deleted:
    "Endpoint deleted: Glade sends it nothing more, its queued deliveries were cancelled, and its log stays below.",
} as const;
export type Notice = keyof typeof NOTICES;

export async function webhookPage(
  deps: AppDeps,
  visitor: Visitor,
  endpoint: WebhookEndpointRow,
  extra: {
    cursor?: string | undefined;
    form?: EndpointFields;
    errors?: EndpointErrors;
    secret?: string;
    notice?: string | undefined;
    error?: string;
  } = {},
) {
  const merchant = visitorMerchant(visitor);
  const page = await listDeliveries(deps.db, merchant, endpoint.id, {
    cursor: extra.cursor,
    limit: DELIVERIES_PER_PAGE,
  });
  const events = await getEventsByIds(
    deps.db,
    merchant,
    page.data.map((d) => d.eventId),
  );
  const byId = new Map(events.map((e) => [e.id, e]));
  const notice =
    extra.notice !== undefined && extra.notice in NOTICES ? NOTICES[extra.notice as Notice] : null;
  return renderWebhookPage(await frameFor(deps, visitor, WEBHOOKS_PATH), {
    endpoint: endpointView(endpoint),
    canChange: canChange(visitor),
    eventTypes: EVENT_TYPES,
    form: extra.form ?? endpointFieldsOf(endpoint),
    errors: extra.errors ?? {},
    secret: extra.secret ?? null,
    notice,
    error: extra.error ?? null,
    deliveries: page.data.map((d) => deliveryView(d, byId)),
    next: page.nextCursor ?? null,
  });
}

/** A `?cursor=` that is not one of ours is a 400 page, not the API's JSON error. */
export async function orBadCursor(c: Context, render: () => Promise<Response>): Promise<Response> {
  try {
    return await render();
  } catch (err) {
    if (err instanceof AppError && err.code === "BAD_REQUEST") {
      return messagePage(
        c,
        400,
        "No such page",
        "That page of the list does not exist. Start from the first page.",
      );
    }
    throw err;
  }
}
