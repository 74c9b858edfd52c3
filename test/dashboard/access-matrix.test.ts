import { describe, expect, it } from "vitest";
import { dashboardUser, signInDashboard, testContext } from "../support/index.js";

/**
 * Every dashboard route the app registers, found from the app itself (so a new page joins by existing): none
 * answers without a session, no POST goes through without the session's token, and a viewer's POST changes
 * nothing. Each page's own tests try other organizations' ids in its URLs and forms.
 */
const ctx = await testContext();
const PUBLIC = new Set(["/dashboard/sign-in", "/dashboard/link/:token", "/dashboard/assets/dashboard.css"]);
/** POSTs any member may make: about their own session, not the organization. */
const ANY_MEMBER = new Set(["/dashboard/sign-out", "/dashboard/sign-out-everywhere", "/dashboard/view"]);

const routes = [
  ...new Set(
    ctx.app.routes
      .filter(
        (r) =>
          r.path.startsWith("/dashboard") &&
          !PUBLIC.has(r.path) &&
          (r.method === "GET" || r.method === "POST"),
      )
      .map((r) => `${r.method} ${r.path}`),
  ),
].map((key) => {
  const [method = "", path = ""] = key.split(" ");
  return { method, path, url: path.replace(/:[A-Za-z]+/g, "x_matrix_id") };
});

describe("dashboard access matrix", () => {
  it("finds the dashboard's routes", () => {
    expect(routes.length).toBeGreaterThanOrEqual(8);
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        "GET /dashboard",
        "POST /dashboard/developers/api-keys",
        "GET /dashboard/audit-log",
      ]),
    );
  });

  it("sends every route to sign-in without a session, and with a forged cookie", async () => {
    for (const r of routes) {
      for (const cookie of [undefined, "glade_dashboard=forged", `glade_dashboard=${"A".repeat(43)}`]) {
        const res = await ctx.api(r.method, r.url, {
          ...(r.method === "POST" ? { rawBody: "csrf=x" } : {}),
          headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}) },
        });
        expect(res.status, `${r.method} ${r.path} ${cookie}`).toBe(303);
        expect(res.headers.get("location")).toBe("/dashboard/sign-in");
      }
    }
  });

  it("refuses every POST without the session's token, and every organization change by a viewer", async () => {
    const m = await ctx.merchant("Matrix Org");
    const viewer = await signInDashboard(ctx, (await dashboardUser(ctx, m.organizationId, "viewer")).email);
    const owner = await signInDashboard(ctx, (await dashboardUser(ctx, m.organizationId, "owner")).email);
    for (const r of routes.filter((route) => route.method === "POST")) {
      const noToken = await ctx.api("POST", r.url, {
        rawBody: "name=x",
        headers: { cookie: owner.cookie, "content-type": "application/x-www-form-urlencoded" },
      });
      expect(noToken.status, `${r.path} without token`).toBe(403);
      const foreign = await owner.post(r.url, {}, { origin: "https://evil.example" });
      expect(foreign.status, `${r.path} from another site`).toBe(403);
      if (ANY_MEMBER.has(r.path)) continue;
      const byViewer = await viewer.post(r.url, { name: "x", priceId: "x", amount: "1" });
      expect(byViewer.status, `${r.path} by a viewer`).toBe(403);
    }
    expect((await owner.get("/dashboard")).status).toBe(200);
  });

  it("answers every GET for a signed-in member without a server error", async () => {
    const m = await ctx.merchant("Matrix Reader");
    const owner = await signInDashboard(ctx, (await dashboardUser(ctx, m.organizationId, "owner")).email);
    for (const r of routes.filter((route) => route.method === "GET")) {
      const res = await owner.get(r.url);
      expect(res.status, `GET ${r.path}`).toBeLessThan(500);
      expect([200, 303, 400, 404]).toContain(res.status);
    }
  });
});
