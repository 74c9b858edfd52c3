import type { Context } from "hono";
import { renderTeamPage, type TeamView } from "../../web/dashboard/team-page.js";
import { recordAudit } from "../audit/index.js";
import type { AppDeps } from "../context/index.js";
import type { Executor } from "../db/client.js";
import type { App } from "../http/types.js";
import { AppError } from "../lib/errors.js";
import { createSignInLink, type Visitor } from "./access.js";
import { when } from "./format.js";
import {
  frameFor,
  messagePage,
  postingVisitor,
  viewingVisitor,
  visitorActor,
  visitorMerchant,
} from "./routes-visitor.js";
import { parseInvite, parseRole } from "./settings-forms.js";
import {
  assertNotLastOwner,
  ensureUser,
  findUserByEmail,
  getMember,
  getMembership,
  listMembers,
  type Member,
  removeMembership,
  setMembership,
} from "./users.js";

const PATH = "/dashboard/settings/team";
const PAGE_SIZE = 50;
const NOTICES: Record<string, string> = { role: "Role changed.", removed: "Member removed." };

const auditedMember = (m: { userId: string; email: string; role: string }) => ({
  userId: m.userId,
  email: m.email,
  role: m.role,
});

async function teamPage(deps: AppDeps, visitor: Visitor, override: Partial<TeamView> = {}, cursor?: Member) {
  const organizationId = visitor.session.organizationId;
  const page = await listMembers(deps.db, organizationId, {
    limit: PAGE_SIZE,
    ...(cursor ? { after: cursor } : {}),
  });
  return renderTeamPage(await frameFor(deps, visitor, "/dashboard/settings"), {
    members: page.members.map((m) => ({
      id: m.id,
      email: m.email,
      name: m.name,
      role: m.role,
      since: when(m.createdAt),
      pending: !m.hasPassword,
      you: m.userId === visitor.user.id,
    })),
    next: page.next,
    canManage: visitor.membership.role === "owner",
    notice: null,
    invite: { email: "", role: "viewer" },
    inviteErrors: {},
    newLink: null,
    rowError: null,
    ...override,
  });
}

/** The membership named in the URL, only if it is of the visitor's organization. */
async function memberOf(c: Context, db: Executor, visitor: Visitor) {
  return getMember(db, visitor.session.organizationId, c.req.param("id") ?? "");
}

const notFoundPage = (c: Context) =>
  messagePage(c, 404, "Not found", "There is no such member in this organization.");

/** The team: everyone may look; only owners invite, change roles and remove, and the last owner stays. */
export function registerDashboardTeam(app: App, deps: AppDeps): void {
  app.get(PATH, async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    const cursor = c.req.query("cursor");
    const after = cursor ? await getMember(deps.db, visitor.session.organizationId, cursor) : undefined;
    if (cursor && !after) return messagePage(c, 400, "Team", "That page of the team does not exist.");
    const notice = NOTICES[c.req.query("done") ?? ""] ?? null;
    return c.html(await teamPage(deps, visitor, { notice }, after));
  });

  // The link is shown in this response only (its hash alone is stored), so this POST renders the page.
  app.post(`${PATH}/invite`, async (c) => {
    const posted = await postingVisitor(c, deps, "owner");
    if (posted instanceof Response) return posted;
    const { visitor, form } = posted;
    const invite = { email: form.email ?? "", role: form.role ?? "" };
    const parsed = parseInvite(form);
    if (!parsed.ok)
      return c.html(await teamPage(deps, visitor, { invite, inviteErrors: parsed.errors }), 400);
    const { email, role } = parsed.value;
    const merchant = visitorMerchant(visitor);
    const now = deps.now();
    const added = await deps.db.transaction(async (tx) => {
      const known = await findUserByEmail(tx, email);
      if (known && (await getMembership(tx, known.id, merchant.organizationId))) return "member" as const;
      const user = known ?? (await ensureUser(tx, { email }, now));
      const membership = await setMembership(
        tx,
        { userId: user.id, organizationId: merchant.organizationId, role },
        now,
      );
      await recordAudit(
        tx,
        merchant,
        {
          actor: visitorActor(visitor),
          action: "membership.created",
          objectType: "membership",
          objectId: membership.id,
          after: auditedMember({ userId: user.id, email, role }),
        },
        now,
      );
      // An account that has a password keeps it: a link would let whoever holds it take the account over.
      return user.passwordHash ? { token: null } : { token: await createSignInLink(tx, user.id, now) };
    });
    if (added === "member") {
      const inviteErrors = { email: `${email} is already a member. Change their role in the list below.` };
      return c.html(await teamPage(deps, visitor, { invite, inviteErrors }), 400);
    }
    c.header("cache-control", "no-store");
    const override: Partial<TeamView> = added.token
      ? { newLink: { email, url: `${deps.config.publicUrl}/dashboard/link/${added.token}` } }
      : {
          notice: `${email} already has a Glade account and was added as ${role}. They sign in with their own password and pick this organization in the switcher.`,
        };
    return c.html(await teamPage(deps, visitor, override), 201);
  });

  app.post(`${PATH}/:id/role`, async (c) => {
    const posted = await postingVisitor(c, deps, "owner");
    if (posted instanceof Response) return posted;
    const { visitor, form } = posted;
    const merchant = visitorMerchant(visitor);
    const member = await memberOf(c, deps.db, visitor);
    if (!member) return notFoundPage(c);
    const role = parseRole(form.role);
    if (!role) {
      const rowError = { id: member.id, message: "Choose a role: owner, admin or viewer." };
      return c.html(await teamPage(deps, visitor, { rowError }), 400);
    }
    const now = deps.now();
    try {
      await deps.db.transaction(async (tx) => {
        const current = await memberOf(c, tx, visitor);
        if (!current || current.role === role) return;
        if (current.role === "owner") await assertNotLastOwner(tx, merchant.organizationId, current.userId);
        await setMembership(
          tx,
          { userId: current.userId, organizationId: merchant.organizationId, role },
          now,
        );
        await recordAudit(
          tx,
          merchant,
          {
            actor: visitorActor(visitor),
            action: "membership.role_changed",
            objectType: "membership",
            objectId: current.id,
            before: auditedMember(current),
            after: auditedMember({ ...current, role }),
          },
          now,
        );
      });
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== "CONFLICT") throw err;
      const rowError = { id: member.id, message: `${err.message}: make someone else an owner first.` };
      return c.html(await teamPage(deps, visitor, { rowError }), 409);
    }
    return c.redirect(`${PATH}?done=role`, 303);
  });

  app.post(`${PATH}/:id/remove`, async (c) => {
    const posted = await postingVisitor(c, deps, "owner");
    if (posted instanceof Response) return posted;
    const { visitor } = posted;
    const merchant = visitorMerchant(visitor);
    const member = await memberOf(c, deps.db, visitor);
    if (!member) return notFoundPage(c);
    const now = deps.now();
    try {
      await deps.db.transaction(async (tx) => {
        const current = await memberOf(c, tx, visitor);
        if (!current) return;
        if (current.role === "owner") await assertNotLastOwner(tx, merchant.organizationId, current.userId);
        await removeMembership(tx, merchant.organizationId, current.userId);
        await recordAudit(
          tx,
          merchant,
          {
            actor: visitorActor(visitor),
            action: "membership.removed",
            objectType: "membership",
            objectId: current.id,
            before: auditedMember(current),
          },
          now,
        );
      });
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== "CONFLICT") throw err;
      const rowError = { id: member.id, message: `${err.message}: make someone else an owner first.` };
      return c.html(await teamPage(deps, visitor, { rowError }), 409);
    }
    return c.redirect(`${PATH}?done=removed`, 303);
  });
}
