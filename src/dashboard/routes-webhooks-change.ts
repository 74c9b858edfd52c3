import type { Context } from "hono";
import { WEBHOOKS_PATH } from "../../web/dashboard/webhooks-page.js";
import { recordAudit } from "../audit/index.js";
import type { AppDeps } from "../context/index.js";
import type { App } from "../http/types.js";
import { AppError } from "../lib/errors.js";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  openWebhookSecret,
  redeliverEvent,
  rotateWebhookSecret,
  updateWebhookEndpoint,
} from "../webhooks/index.js";
import { notFoundPage } from "./records-shared.js";
import { postingVisitor, visitorActor, visitorMerchant } from "./routes-visitor.js";
import { webhookPage, webhooksPage } from "./routes-webhooks-pages.js";
import { auditedEndpoint, readEndpointForm } from "./webhook-views.js";

/** The posting admin and the endpoint named in the address (of the session's organization and mode). */
async function postedEndpoint(c: Context, deps: AppDeps) {
  const posted = await postingVisitor(c, deps, "admin");
  if (posted instanceof Response) return posted;
  const endpoint = await getWebhookEndpoint(
    deps.db,
    visitorMerchant(posted.visitor),
    c.req.param("id") ?? "",
  );
  if (!endpoint) return notFoundPage(c, "webhook endpoint");
  return { ...posted, endpoint };
}

export function registerDashboardWebhookChanges(app: App, deps: AppDeps): void {
  app.post(WEBHOOKS_PATH, async (c) => {
    const posted = await postingVisitor(c, deps, "admin");
    if (posted instanceof Response) return posted;
    const { visitor, form } = posted;
    const read = readEndpointForm(form, deps.config.webhookAllowPrivate);
    if ("errors" in read) {
      return c.html(await webhooksPage(deps, visitor, { form: read.fields, errors: read.errors }), 400);
    }
    const merchant = visitorMerchant(visitor);
    const now = deps.now();
    const created = await deps.db.transaction(async (tx) => {
      const row = await createWebhookEndpoint(
        tx,
        merchant,
        { ...read.input, active: true },
        now,
        deps.config,
      );
      await recordAudit(
        tx,
        merchant,
        {
          actor: visitorActor(visitor),
          action: "webhook.created",
          objectType: "webhook",
          objectId: row.id,
          after: auditedEndpoint(row),
        },
        now,
      );
      return row;
    });
    return c.redirect(`${WEBHOOKS_PATH}/${created.id}?notice=created`, 303);
  });

  app.post(`${WEBHOOKS_PATH}/:id`, async (c) => {
    const posted = await postedEndpoint(c, deps);
    if (posted instanceof Response) return posted;
    const { visitor, form, endpoint } = posted;
    const read = readEndpointForm(form, deps.config.webhookAllowPrivate);
    if ("errors" in read) {
      return c.html(
        await webhookPage(deps, visitor, endpoint, { form: read.fields, errors: read.errors }),
        400,
      );
    }
    const merchant = visitorMerchant(visitor);
    const now = deps.now();
    await deps.db.transaction(async (tx) => {
      const row = await updateWebhookEndpoint(tx, merchant, endpoint.id, read.input, now, deps.config);
      await recordAudit(
        tx,
        merchant,
        {
          actor: visitorActor(visitor),
          action: "webhook.updated",
          objectType: "webhook",
          objectId: row.id,
          before: auditedEndpoint(endpoint),
          after: auditedEndpoint(row),
        },
        now,
      );
    });
    return c.redirect(`${WEBHOOKS_PATH}/${endpoint.id}?notice=saved`, 303);
  });

  // The secret is in this response only (never in a URL or the audit entry), so the POST renders the page.
  app.post(`${WEBHOOKS_PATH}/:id/secret`, async (c) => {
    const posted = await postedEndpoint(c, deps);
    if (posted instanceof Response) return posted;
    const { visitor, endpoint } = posted;
    const merchant = visitorMerchant(visitor);
    const now = deps.now();
    const row = await deps.db.transaction(async (tx) => {
      const current = await getWebhookEndpoint(tx, merchant, endpoint.id);
      await recordAudit(
        tx,
        merchant,
        {
          actor: visitorActor(visitor),
          action: "webhook.secret_revealed",
          objectType: "webhook",
          objectId: endpoint.id,
        },
        now,
      );
      return current ?? endpoint;
    });
    c.header("cache-control", "no-store");
    return c.html(await webhookPage(deps, visitor, row, { secret: openWebhookSecret(deps.config, row) }));
  });

  app.post(`${WEBHOOKS_PATH}/:id/rotate`, async (c) => {
    const posted = await postedEndpoint(c, deps);
    if (posted instanceof Response) return posted;
    const { visitor, endpoint } = posted;
    const merchant = visitorMerchant(visitor);
    const now = deps.now();
    await deps.db.transaction(async (tx) => {
      await rotateWebhookSecret(tx, merchant, endpoint.id, now, deps.config);
      await recordAudit(
        tx,
        merchant,
        {
          actor: visitorActor(visitor),
          action: "webhook.secret_rotated",
          objectType: "webhook",
          objectId: endpoint.id,
        },
        now,
      );
    });
    return c.redirect(`${WEBHOOKS_PATH}/${endpoint.id}?notice=rotated`, 303);
  });

  // As the API's DELETE: no more deliveries, the queued ones cancelled with a reason, the log kept.
  app.post(`${WEBHOOKS_PATH}/:id/delete`, async (c) => {
    const posted = await postedEndpoint(c, deps);
    if (posted instanceof Response) return posted;
    const { visitor, endpoint } = posted;
    const merchant = visitorMerchant(visitor);
    const now = deps.now();
    await deps.db.transaction(async (tx) => {
      const row = await deleteWebhookEndpoint(tx, merchant, endpoint.id, now);
      await recordAudit(
        tx,
        merchant,
        {
          actor: visitorActor(visitor),
          action: "webhook.deleted",
          objectType: "webhook",
          objectId: endpoint.id,
          before: auditedEndpoint(endpoint),
          after: auditedEndpoint(row),
        },
        now,
      );
    });
    return c.redirect(`${WEBHOOKS_PATH}/${endpoint.id}?notice=deleted`, 303);
  });

  app.post(`${WEBHOOKS_PATH}/:id/redeliver`, async (c) => {
    const posted = await postedEndpoint(c, deps);
    if (posted instanceof Response) return posted;
    const { visitor, form, endpoint } = posted;
    const eventId = form.eventId ?? "";
    const merchant = visitorMerchant(visitor);
    const now = deps.now();
    try {
      await deps.db.transaction(async (tx) => {
        await redeliverEvent(tx, merchant, eventId, { webhookId: endpoint.id }, now);
        await recordAudit(
          tx,
          merchant,
          {
            actor: visitorActor(visitor),
            action: "event.redelivered",
            objectType: "event",
            objectId: eventId,
            after: { webhookId: endpoint.id },
          },
          now,
        );
      });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === "NOT_FOUND") return notFoundPage(c, "event");
      // A paused endpoint, or one that no longer subscribes to the event's type: said on the page.
      return c.html(await webhookPage(deps, visitor, endpoint, { error: err.message }), 400);
    }
    return c.redirect(`${WEBHOOKS_PATH}/${endpoint.id}?notice=redelivered`, 303);
  });
}
