// What the webhook and event pages show, built from the webhooks domain's rows and records.
import type { EventView } from "../../web/dashboard/events-page.js";
import type { DeliveryView, EndpointView } from "../../web/dashboard/webhook-page.js";
import type { EndpointErrors, EndpointFields } from "../../web/dashboard/webhooks-page.js";
import { typeField } from "../../web/dashboard/webhooks-page.js";
import type { AllowList } from "../lib/address-policy.js";
import { HttpUrl } from "../lib/wire.js";
import {
  type DeliveryRecord,
  EVENT_TYPES,
  type EventRecord,
  type EventRow,
  type EventType,
  registrationRefusal,
  serializeEvent,
  type WebhookEndpointRow,
} from "../webhooks/index.js";
import { when } from "./format.js";

export const typesLabel = (types: string[] | null) => (types === null ? "All event types" : types.join(", "));

export function endpointView(row: WebhookEndpointRow): EndpointView {
  return {
    id: row.id,
    url: row.url,
    types: typesLabel(row.eventTypes),
    active: row.active,
    created: when(row.createdAt),
  };
}

export function endpointFieldsOf(row: WebhookEndpointRow): EndpointFields {
  return {
    url: row.url,
    description: row.description ?? "",
    allTypes: row.eventTypes === null,
    eventTypes: row.eventTypes ?? [],
    active: row.active,
  };
}

export const EMPTY_ENDPOINT: EndpointFields = {
  url: "",
  description: "",
  allTypes: false,
  eventTypes: [],
  active: true,
};

/** An endpoint as the audit log keeps it: never its signing secret. */
export function auditedEndpoint(row: WebhookEndpointRow) {
  return {
    id: row.id,
    url: row.url,
    eventTypes: row.eventTypes,
    description: row.description,
    active: row.active,
    livemode: row.livemode,
  };
}

export type EndpointInput = {
  url: string;
  eventTypes: EventType[] | null;
  description: string | null;
  active: boolean;
};

const isEventType = (t: string): t is EventType => (EVENT_TYPES as readonly string[]).includes(t);

/** The posted endpoint form: what to write, or the fields again with an error next to each bad one. */
export function readEndpointForm(
  form: Record<string, string>,
  allow: AllowList,
): { fields: EndpointFields; input: EndpointInput } | { fields: EndpointFields; errors: EndpointErrors } {
  const fields: EndpointFields = {
    url: (form.url ?? "").trim(),
    description: (form.description ?? "").trim(),
    allTypes: form.all_types !== undefined,
    eventTypes: EVENT_TYPES.filter((t) => form[typeField(t)] !== undefined),
    active: form.active !== undefined,
  };
  const errors: EndpointErrors = {};
  if (!HttpUrl.safeParse(fields.url).success) {
    errors.url = "Enter an http:// or https:// URL of at most 2048 characters.";
  } else {
    const refusal = registrationRefusal(fields.url, allow);
    if (refusal) errors.url = `Glade will not send webhooks there: ${refusal}.`;
  }
  if (fields.description.length > 500 || fields.description.includes("\u0000")) {
    errors.description = "Keep the description under 500 characters.";
  }
  if (!fields.allTypes && fields.eventTypes.length === 0) {
    errors.eventTypes = "Choose at least one event type, or all of them.";
  }
  if (Object.keys(errors).length > 0) return { fields, errors };
  return {
    fields,
    input: {
      url: fields.url,
      eventTypes: fields.allTypes ? null : fields.eventTypes.filter(isEventType),
      description: fields.description === "" ? null : fields.description,
      active: fields.active,
    },
  };
}

export const prettyJson = (value: unknown) => JSON.stringify(value, null, 2);

/** A delivery with what it sent: the event's body exactly as the worker POSTs it. */
export function deliveryView(d: DeliveryRecord, events: Map<string, EventRow>): DeliveryView {
  const event = events.get(d.eventId);
  return {
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts.map((a) => ({
      when: when(new Date(a.attemptedAt)),
      statusCode: a.statusCode,
      durationMs: a.durationMs,
      snippet: a.responseSnippet,
      error: a.error,
    })),
    nextAttempt: d.nextAttemptAt === null ? null : when(new Date(d.nextAttemptAt)),
    payload: event ? prettyJson(serializeEvent(event)) : "",
  };
}

/** An event as listed: the API's record (its `data` is the object, whose id every domain's wire object has). */
export function eventView(e: EventRecord): EventView {
  return {
    id: e.id,
    type: e.type,
    object: e.object,
    objectId: typeof e.data.id === "string" ? e.data.id : "",
    when: when(new Date(e.createdAt)),
  };
}
