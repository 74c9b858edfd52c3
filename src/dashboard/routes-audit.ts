import { renderAuditEntryPage, renderAuditPage } from "../../web/dashboard/audit-page.js";
import { type AuditEntry, getAuditEntry, listAuditEntries } from "../audit/index.js";
import type { AppDeps } from "../context/index.js";
import type { App } from "../http/types.js";
import { when } from "./format.js";
import { canChange, frameFor, messagePage, viewingVisitor, visitorMerchant } from "./routes-visitor.js";

const PAGE_SIZE = 50;

function row(e: AuditEntry) {
  return {
    id: e.id,
    when: when(e.createdAt),
    who: e.actorLabel,
    action: e.action,
    object: e.objectId,
    hasDetail: e.before !== null || e.after !== null,
  };
}

/** Owners and admins read the log; a viewer is told so. */
export function registerDashboardAudit(app: App, deps: AppDeps): void {
  app.get("/dashboard/audit-log", async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    if (!canChange(visitor))
      return messagePage(c, 403, "Audit log", "Only owners and admins can read the audit log.");
    const merchant = visitorMerchant(visitor);
    const cursor = c.req.query("cursor");
    const after = cursor ? await getAuditEntry(deps.db, merchant, cursor) : undefined;
    if (cursor && !after) return messagePage(c, 400, "Audit log", "That page of the log does not exist.");
    const page = await listAuditEntries(deps.db, merchant, { limit: PAGE_SIZE, ...(after ? { after } : {}) });
    return c.html(
      renderAuditPage(await frameFor(deps, visitor, "/dashboard/audit-log"), {
        entries: page.entries.map(row),
        next: page.next,
      }),
    );
  });

  app.get("/dashboard/audit-log/:id", async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    if (!canChange(visitor))
      return messagePage(c, 403, "Audit log", "Only owners and admins can read the audit log.");
    const entry = await getAuditEntry(deps.db, visitorMerchant(visitor), c.req.param("id"));
    if (!entry)
      return messagePage(c, 404, "Not found", "There is no such entry in this organization and mode.");
    const json = (v: unknown) => (v === null ? null : JSON.stringify(v, null, 2));
    return c.html(
      renderAuditEntryPage(await frameFor(deps, visitor, "/dashboard/audit-log"), {
        row: row(entry),
        before: json(entry.before),
        after: json(entry.after),
      }),
    );
  });
}
