import { renderApiKeysPage } from "../../web/dashboard/developers-page.js";
import { recordAudit } from "../audit/index.js";
import type { AppDeps } from "../context/index.js";
import type { App } from "../http/types.js";
import { createApiKey, getApiKey, listApiKeys, revokeApiKey } from "../organizations/index.js";
import type { Visitor } from "./access.js";
import { when } from "./format.js";
import {
  canChange,
  frameFor,
  messagePage,
  postingVisitor,
  viewingVisitor,
  visitorActor,
  visitorMerchant,
} from "./routes-visitor.js";

const PATH = "/dashboard/developers/api-keys";

/** A key as the audit log keeps it: never the secret or its hash. */
function auditedKey(key: {
  id: string;
  name: string;
  keyPrefix: string;
  livemode: boolean;
  revokedAt: Date | null;
}) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.keyPrefix,
    livemode: key.livemode,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

async function keysPage(
  deps: AppDeps,
  visitor: Visitor,
  extra: { newSecret?: string; nameError?: string; name?: string } = {},
) {
  const keys = await listApiKeys(deps.db, visitorMerchant(visitor));
  return renderApiKeysPage(await frameFor(deps, visitor, PATH), {
    keys: keys.map((k) => ({
      id: k.id,
      name: k.name,
      prefix: k.keyPrefix,
      created: when(k.createdAt),
      lastUsed: k.lastUsedAt ? when(k.lastUsedAt) : "never",
      revoked: k.revokedAt ? when(k.revokedAt) : null,
    })),
    canChange: canChange(visitor),
    newSecret: extra.newSecret ?? null,
    nameError: extra.nameError ?? null,
    name: extra.name ?? "",
  });
}

export function registerDashboardDevelopers(app: App, deps: AppDeps): void {
  app.get(PATH, async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    return c.html(await keysPage(deps, visitor));
  });

  // The new secret is shown in this response only (never stored, never in a URL), so this POST renders the page.
  app.post(PATH, async (c) => {
    const posted = await postingVisitor(c, deps, "admin");
    if (posted instanceof Response) return posted;
    const { visitor, form } = posted;
    const name = (form.name ?? "").trim();
    if (name === "" || name.length > 100) {
      return c.html(
        await keysPage(deps, visitor, { name, nameError: "Give the key a name of 1 to 100 characters." }),
        400,
      );
    }
    const merchant = visitorMerchant(visitor);
    const now = deps.now();
    const created = await deps.db.transaction(async (tx) => {
      const made = await createApiKey(
        tx,
        { organizationId: merchant.organizationId, livemode: merchant.livemode, name },
        now,
      );
      await recordAudit(
        tx,
        merchant,
        {
          actor: visitorActor(visitor),
          action: "api_key.created",
          objectType: "api_key",
          objectId: made.key.id,
          after: auditedKey(made.key),
        },
        now,
      );
      return made;
    });
    c.header("cache-control", "no-store");
    return c.html(await keysPage(deps, visitor, { newSecret: created.secret }), 201);
  });

  app.post(`${PATH}/:id/revoke`, async (c) => {
    const posted = await postingVisitor(c, deps, "admin");
    if (posted instanceof Response) return posted;
    const { visitor } = posted;
    const merchant = visitorMerchant(visitor);
    const key = await getApiKey(deps.db, merchant, c.req.param("id"));
    if (!key) return messagePage(c, 404, "Not found", "There is no such key in this organization and mode.");
    if (!key.revokedAt) {
      const now = deps.now();
      await deps.db.transaction(async (tx) => {
        await revokeApiKey(tx, key.id, now);
        await recordAudit(
          tx,
          merchant,
          {
            actor: visitorActor(visitor),
            action: "api_key.revoked",
            objectType: "api_key",
            objectId: key.id,
            before: auditedKey(key),
            after: auditedKey({ ...key, revokedAt: now }),
          },
          now,
        );
      });
    }
    return c.redirect(PATH, 303);
  });
}
