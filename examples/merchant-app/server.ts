import { randomBytes, randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import {
  FlowgladServer,
  RequestHandlerError,
  type RequestHandlerInput,
  requestHandler,
} from "@flowglad/server";
import { build } from "esbuild";
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { loginPage, storePage } from "./pages.js";

export type MerchantAppOptions = {
  /** Where Glade runs, e.g. http://127.0.0.1:3000 (what FLOWGLAD_BASE_URL would say). */
  gladeBaseUrl: string;
  /** A Glade secret key, sk_test_… or sk_live_… (what FLOWGLAD_SECRET_KEY would say). */
  gladeSecretKey: string;
  /** This app's own origin as the browser sees it; cross-origin POSTs are refused. */
  publicUrl: string;
};

export type User = { id: string; name: string; email: string };

const SESSION_COOKIE = "merchant_session";
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The browser half (React + @flowglad/react), bundled once when the app starts. */
async function bundleClient(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("./client.tsx", import.meta.url))],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    jsx: "automatic",
    minify: true,
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "silent",
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error("esbuild produced no client bundle");
  return output.text;
}

/**
 * A tiny store: sign in with a name and an email, buy from Glade's catalog, see what you bought.
 * Users and sessions live in memory; a real app would use its own database and auth.
 */
export async function createMerchantApp(options: MerchantAppOptions): Promise<Hono> {
  const clientJs = await bundleClient();
  const origin = new URL(options.publicUrl).origin;
  const usersById = new Map<string, User>();
  const usersByEmail = new Map<string, User>();
  const sessions = new Map<string, string>();

  const currentUser = (c: Context): User | undefined => {
    const token = getCookie(c, SESSION_COOKIE);
    const userId = token === undefined ? undefined : sessions.get(token);
    return userId === undefined ? undefined : usersById.get(userId);
  };

  const flowgladFor = (customerExternalId: string) =>
    new FlowgladServer({
      customerExternalId,
      apiKey: options.gladeSecretKey,
      baseURL: options.gladeBaseUrl,
      // Called by the SDK only when this user has no customer record yet.
      getCustomerDetails: async (externalId) => {
        const user = usersById.get(externalId);
        if (!user) throw new Error(`No user ${externalId}`);
        return { name: user.name, email: user.email };
      },
    });

  const flowgladHandler = requestHandler<Context>({
    apiKey: options.gladeSecretKey,
    baseURL: options.gladeBaseUrl,
    // The customer is always the signed-in user: nothing the browser sends can name another one.
    getCustomerExternalId: async (c) => {
      const user = currentUser(c);
      if (!user) throw new RequestHandlerError("Sign in first", 401);
      return user.id;
    },
    flowglad: (customerExternalId) => flowgladFor(customerExternalId),
  });

  const app = new Hono();

  // Cookies are SameSite=Lax already; checking Origin also stops cross-site form posts in older browsers.
  app.use("*", async (c, next) => {
    if (c.req.method === "POST" && c.req.header("origin") !== origin) {
      return c.json({ error: { message: "Cross-origin request refused" } }, 403);
    }
    await next();
  });

  app.get("/", (c) => {
    const user = currentUser(c);
    return c.html(user ? storePage(user) : loginPage());
  });

  app.get("/assets/client.js", (c) =>
    c.body(clientJs, 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" }),
  );

  // No password: this stands in for your real sign-in, which only has to end with a user id in the session.
  app.post("/login", async (c) => {
    const form = await c.req.parseBody();
    const name = typeof form.name === "string" ? form.name.trim() : "";
    const email = typeof form.email === "string" ? form.email.trim().toLowerCase() : "";
    if (!name || !EMAIL.test(email)) return c.html(loginPage("Enter your name and a valid email."), 400);
    let user = usersByEmail.get(email);
    if (!user) {
      user = { id: `user_${randomUUID()}`, name, email };
      usersById.set(user.id, user);
      usersByEmail.set(email, user);
      // Checkout sessions need an existing customer. useBilling() would create it on the first page load;
      // doing it at sign-up also covers a Buy call that comes before billing has loaded.
      await flowgladFor(user.id)
        .findOrCreateCustomer()
        .catch((error: unknown) => console.warn("Could not create the billing customer yet:", error));
    }
    const token = randomBytes(32).toString("base64url");
    sessions.set(token, user.id);
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: "Lax",
      path: "/",
      secure: origin.startsWith("https:"),
    });
    return c.redirect("/", 303);
  });

  // "Manage billing": a one-time portal link for the signed-in user, made with the secret key on this
  // server, so the browser never holds a key or picks whose billing it opens.
  app.post("/billing-portal", async (c) => {
    const user = currentUser(c);
    if (!user) return c.redirect("/", 303);
    const res = await fetch(
      `${options.gladeBaseUrl}/api/v1/customers/${encodeURIComponent(user.id)}/billing-portal-sessions`,
      {
        method: "POST",
        headers: { authorization: options.gladeSecretKey, "content-type": "application/json" },
        body: JSON.stringify({ returnUrl: `${origin}/` }),
      },
    );
    if (!res.ok) return c.html(storePage(user, "Could not open billing. Try again in a moment."), 502);
    const { billingPortalSession } = (await res.json()) as { billingPortalSession: { url: string } };
    return c.redirect(billingPortalSession.url, 303);
  });

  app.post("/logout", (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token !== undefined) sessions.delete(token);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.redirect("/", 303);
  });

  // @flowglad/react calls POST /api/flowglad/<action>; the SDK's handler does the rest.
  // HTTPMethod is an enum in @flowglad/shared; its POST member is the string "POST".
  const POST = "POST" as RequestHandlerInput["method"];
  app.post("/api/flowglad/*", async (c) => {
    const path = c.req.path.slice("/api/flowglad/".length).split("/");
    const body: unknown = await c.req.json().catch(() => ({}));
    const result = await flowgladHandler({ path, method: POST, body }, c);
    return c.json({ data: result.data, error: result.error }, result.status as ContentfulStatusCode);
  });

  return app;
}
