// One way for every "new thing" form of the catalog: GET shows it, POST checks it, writes through the
// domain's service with the audit entry in the same transaction, and answers 303, or 400 with each error next
// to its field (a service's refusal included), or 404 for an id of another organization or mode.
import type { Context } from "hono";
import { type FormField, renderFormPage } from "../../web/dashboard/form-page.js";
import { recordAudit } from "../audit/index.js";
import type { AppDeps, Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import type { App } from "../http/types.js";
import { AppError } from "../lib/errors.js";
import type { Visitor } from "./access.js";
import { notFoundPage } from "./records-shared.js";
import {
  canChange,
  frameFor,
  messagePage,
  postingVisitor,
  viewingVisitor,
  visitorActor,
  visitorMerchant,
} from "./routes-visitor.js";

export const CATALOG = "/dashboard/catalog";

type Errors<V> = Partial<Record<keyof V & string, string>>;

export type CatalogFormSpec<V, I, P> = {
  /** GET `${path}/new`, POST `path`; `:id` in it names the parent (`parent` looks it up). */
  path: string;
  title: string;
  intro: string;
  submit: string;
  empty: V;
  read: (form: Record<string, string>) => { values: V; input?: I; errors: Errors<V> };
  parent: (db: Executor, merchant: Merchant, id: string) => Promise<P | undefined>;
  /** What a missing parent is called on the 404 page. */
  parentName: string;
  back: (parent: P) => { href: string; label: string };
  fields: (values: V, errors: Errors<V>) => FormField[];
  write: (
    tx: Executor,
    merchant: Merchant,
    input: I,
    parent: P,
    now: Date,
  ) => Promise<{
    audit: { action: string; objectType: string; objectId: string; after: unknown };
    to: string;
  }>;
  /** Where a CONFLICT from the service belongs (a code or slug taken), with what to say. */
  conflict?: { field: keyof V & string; message: string };
};

export function registerCatalogForm<V, I, P>(app: App, deps: AppDeps, spec: CatalogFormSpec<V, I, P>): void {
  const show = async (
    c: Context,
    visitor: Visitor,
    parent: P,
    values: V,
    errors: Errors<V>,
    status: 200 | 400,
  ) =>
    c.html(
      renderFormPage(await frameFor(deps, visitor, CATALOG), {
        title: spec.title,
        back: spec.back(parent),
        intro: spec.intro,
        action: c.req.path.replace(/\/new$/, ""),
        fields: spec.fields(values, errors),
        submit: spec.submit,
      }),
      status,
    );
  const notFound = (c: Context) => notFoundPage(c, spec.parentName);

  app.get(`${spec.path}/new`, async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    if (!canChange(visitor)) {
      return messagePage(c, 403, "Not allowed", "Your role can view the catalog but not change it.");
    }
    const parent = await spec.parent(deps.db, visitorMerchant(visitor), c.req.param("id") ?? "");
    if (parent === undefined) return notFound(c);
    return show(c, visitor, parent, spec.empty, {}, 200);
  });

  app.post(spec.path, async (c) => {
    const posted = await postingVisitor(c, deps, "admin");
    if (posted instanceof Response) return posted;
    const { visitor, form } = posted;
    const merchant = visitorMerchant(visitor);
    const parent = await spec.parent(deps.db, merchant, c.req.param("id") ?? "");
    if (parent === undefined) return notFound(c);
    const { values, input, errors } = spec.read(form);
    if (input === undefined) return show(c, visitor, parent, values, errors, 400);
    const now = deps.now();
    try {
      const done = await deps.db.transaction(async (tx) => {
        const made = await spec.write(tx, merchant, input, parent, now);
        await recordAudit(tx, merchant, { actor: visitorActor(visitor), ...made.audit }, now);
        return made;
      });
      return c.redirect(done.to, 303);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === "NOT_FOUND") return notFound(c);
      const field =
        err.code === "CONFLICT" && spec.conflict
          ? spec.conflict.field
          : (Object.keys(spec.empty as object)[0] ?? "");
      const message = err.code === "CONFLICT" && spec.conflict ? spec.conflict.message : err.message;
      return show(c, visitor, parent, values, { [field]: message } as Errors<V>, 400);
    }
  });
}
