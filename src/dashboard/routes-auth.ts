import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { renderSetPasswordPage, renderSignInPage } from "../../web/dashboard/sign-in-page.js";
import type { AppDeps } from "../context/index.js";
import { readFormFields } from "../http/form.js";
import { isCrossSiteForm, setPageSecurityHeaders } from "../http/page-headers.js";
import { clientAddress, createRateLimiter } from "../http/rate-limit.js";
import type { App } from "../http/types.js";
import {
  checkPassword,
  readSignInLink,
  revokeAllSessions,
  revokeSession,
  setPassword,
  startSession,
  switchView,
} from "./access.js";
import { passwordProblem } from "./passwords.js";
import { clearDashboardCookie, messagePage, postingVisitor, setDashboardCookie } from "./routes-visitor.js";

const CSS = readFileSync(
  resolve(dirname(fileURLToPath(import.meta.url)), "../../web/assets/dashboard.css"),
  "utf8",
);

/** Sign-in tries per client address per window: far above a person, far below a password-guessing script. */
export const SIGN_IN_TRIES = { limit: 20, windowMs: 10 * 60 * 1000, maxClients: 10_000 };

export function registerDashboardAuth(app: App, deps: AppDeps): void {
  const tries = createRateLimiter({ ...SIGN_IN_TRIES, now: () => deps.now().getTime() });

  app.get("/dashboard/assets/dashboard.css", (c) => {
    c.header("content-type", "text/css; charset=utf-8");
    c.header("cache-control", "public, max-age=3600");
    c.header("x-content-type-options", "nosniff");
    return c.body(CSS);
  });

  app.get("/dashboard/sign-in", (c) => {
    setPageSecurityHeaders(c);
    const notice = c.req.query("signed-out") !== undefined ? "You are signed out." : undefined;
    return c.html(renderSignInPage({ email: "", errors: {}, ...(notice ? { notice } : {}) }));
  });

  app.post("/dashboard/sign-in", async (c) => {
    setPageSecurityHeaders(c);
    if (isCrossSiteForm(c, deps.config.publicUrl))
      return messagePage(c, 403, "Not signed in", "Sign in from Glade's own page.");
    const form = await readFormFields(c);
    const email = (form.email ?? "").trim().slice(0, 320);
    const password = form.password ?? "";
    const errors: { email?: string; password?: string; form?: string } = {};
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) errors.email = "Enter the email address of your account.";
    if (password === "" || password.length > 256) errors.password = "Enter your password.";
    if (errors.email || errors.password) return c.html(renderSignInPage({ email, errors }), 400);
    const decision = tries.take(clientAddress(c));
    if (!decision.allowed) {
      c.header("retry-after", String(decision.retryAfterSeconds));
      return c.html(
        renderSignInPage({
          email,
          errors: { form: "Too many sign-in attempts from your network. Wait a few minutes." },
        }),
        429,
      );
    }
    const now = deps.now();
    const checked = await checkPassword(deps.db, email, password, now);
    if (checked.outcome === "locked") {
      return c.html(
        renderSignInPage({
          email,
          errors: {
            form: "Too many wrong passwords for this account. Try again later, or reset the password.",
          },
        }),
        429,
      );
    }
    if (checked.outcome === "wrong") {
      return c.html(
        renderSignInPage({ email, errors: { form: "That email and password do not match an account." } }),
        400,
      );
    }
    const started = await startSession(deps.db, checked.user, now);
    if (!started)
      return c.html(
        renderSignInPage({
          email,
          errors: { form: "Your account belongs to no organization yet. Ask an owner to add you." },
        }),
        403,
      );
    setDashboardCookie(c, deps, started.secret, started.session.expiresAt);
    return c.redirect("/dashboard", 303);
  });

  app.get("/dashboard/link/:token", async (c) => {
    setPageSecurityHeaders(c);
    const token = c.req.param("token");
    const user = token.length <= 100 ? await readSignInLink(deps.db, token, deps.now(), false) : undefined;
    if (!user)
      return messagePage(
        c,
        404,
        "This sign-in link does not work",
        "It was used already, has expired, or was not copied whole. Ask for a new one.",
      );
    return c.html(renderSetPasswordPage({ token, email: user.email }));
  });

  app.post("/dashboard/link/:token", async (c) => {
    setPageSecurityHeaders(c);
    const token = c.req.param("token");
    if (isCrossSiteForm(c, deps.config.publicUrl) || token.length > 100) {
      return messagePage(c, 403, "Nothing was changed", "Use the link itself to choose a password.");
    }
    const password = (await readFormFields(c)).password ?? "";
    const now = deps.now();
    const problem = passwordProblem(password);
    if (problem) {
      const user = await readSignInLink(deps.db, token, now, false);
      if (!user)
        return messagePage(
          c,
          404,
          "This sign-in link does not work",
          "It was used already or has expired. Ask for a new one.",
        );
      return c.html(renderSetPasswordPage({ token, email: user.email, error: problem }), 400);
    }
    const started = await deps.db.transaction(async (tx) => {
      const user = await readSignInLink(tx, token, now, true);
      if (!user) return "spent" as const;
      await setPassword(tx, user.id, password, now);
      // A new password ends every other session of the account.
      await revokeAllSessions(tx, user.id, now);
      return (await startSession(tx, user, now)) ?? ("no_org" as const);
    });
    if (started === "spent")
      return messagePage(
        c,
        404,
        "This sign-in link does not work",
        "It was used already or has expired. Ask for a new one.",
      );
    if (started === "no_org")
      return messagePage(
        c,
        403,
        "Password saved",
        "Your account belongs to no organization yet. Ask an owner to add you.",
      );
    setDashboardCookie(c, deps, started.secret, started.session.expiresAt);
    return c.redirect("/dashboard", 303);
  });

  app.post("/dashboard/sign-out", async (c) => {
    const posted = await postingVisitor(c, deps, "viewer");
    if (posted instanceof Response) return posted;
    await revokeSession(deps.db, posted.visitor.session.id, deps.now());
    clearDashboardCookie(c, deps);
    return c.redirect("/dashboard/sign-in?signed-out", 303);
  });

  app.post("/dashboard/sign-out-everywhere", async (c) => {
    const posted = await postingVisitor(c, deps, "viewer");
    if (posted instanceof Response) return posted;
    await revokeAllSessions(deps.db, posted.visitor.user.id, deps.now());
    clearDashboardCookie(c, deps);
    return c.redirect("/dashboard/sign-in?signed-out", 303);
  });

  app.post("/dashboard/view", async (c) => {
    const posted = await postingVisitor(c, deps, "viewer");
    if (posted instanceof Response) return posted;
    const { form, visitor } = posted;
    const switched = await switchView(deps.db, visitor, {
      ...(form.organizationId ? { organizationId: form.organizationId } : {}),
      ...(form.livemode === "true" || form.livemode === "false"
        ? { livemode: form.livemode === "true" }
        : {}),
    });
    if (!switched) return messagePage(c, 404, "Not found", "You are not a member of that organization.");
    // Back to the page the switch was pressed on: a dashboard path only, never another site.
    const back = form.back ?? "";
    return c.redirect(/^\/dashboard(\/[a-z0-9/-]*)?$/.test(back) ? back : "/dashboard", 303);
  });
}
