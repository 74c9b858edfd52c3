import { setPassword } from "../../src/dashboard/access.js";
import { createSignInLink, ensureUser, setMembership } from "../../src/dashboard/index.js";
import type { DashboardRole } from "../../src/db/schema/index.js";
import type { ApiResult } from "./api.js";
import type { TestContext } from "./app.js";

export const DASHBOARD_PASSWORD = "correct horse battery staple";
let counter = 0;

/** A dashboard user with a password and a role in the organization. */
export async function dashboardUser(
  ctx: TestContext,
  organizationId: string,
  role: DashboardRole,
  email?: string,
) {
  const now = ctx.deps.now();
  const user = await ensureUser(
    ctx.deps.db,
    { email: email ?? `user${++counter}-${Date.now()}@example.com` },
    now,
  );
  await setMembership(ctx.deps.db, { userId: user.id, organizationId, role }, now);
  await setPassword(ctx.deps.db, user.id, DASHBOARD_PASSWORD, now);
  return user;
}

export async function signInLink(ctx: TestContext, userId: string): Promise<string> {
  return createSignInLink(ctx.deps.db, userId, ctx.deps.now());
}

/** A browser's dashboard visit without a browser: the cookie and the forms' token. */
export type DashboardVisit = {
  cookie: string;
  csrf: string;
  get: (path: string) => Promise<ApiResult>;
  post: (
    path: string,
    fields?: Record<string, string>,
    headers?: Record<string, string>,
  ) => Promise<ApiResult>;
};

export function form(fields: Record<string, string>) {
  return {
    rawBody: new URLSearchParams(fields).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  };
}

export async function signInDashboard(
  ctx: TestContext,
  email: string,
  password = DASHBOARD_PASSWORD,
): Promise<DashboardVisit> {
  const res = await ctx.api("POST", "/dashboard/sign-in", form({ email, password }));
  if (res.status !== 303)
    throw new Error(`sign-in: expected 303, got ${res.status}: ${res.text.slice(0, 300)}`);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const get = (path: string) => ctx.api("GET", path, { headers: { cookie } });
  const page = await get("/dashboard");
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1];
  if (!csrf) throw new Error(`dashboard has no form token: ${page.status}`);
  return {
    cookie,
    csrf,
    get,
    post: (path, fields = {}, headers = {}) => {
      const f = form({ csrf, ...fields });
      return ctx.api("POST", path, { ...f, headers: { ...f.headers, cookie, ...headers } });
    },
  };
}
