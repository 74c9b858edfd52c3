import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AppDeps } from "../../src/context/index.js";
import { type DbHandle, openDatabase } from "../../src/db/client.js";
import { loadConfig } from "../../src/lib/config.js";
import { createLogger } from "../../src/lib/logger.js";
import { processorRegistry } from "../../src/processors/index.js";
import { usageBilling } from "../../src/usage/index.js";
import type { FakeStripe } from "../fixtures/fake-stripe/index.js";
import { httpApi, newMerchant, ok } from "./api.js";
import { catalogFixture } from "./catalog.js";
import { createCustomer } from "./checkout.js";
import { killHard, type ServerChild, startServerChild } from "./crash-harness.js";
import { TEST_ENCRYPTION_KEY } from "./stripe.js";

/**
 * The Stripe crash suite's world (test/hardening/crash-stripe.test.ts): a real `glade start` child whose
 * Stripe is the fake in the test process, reached through a tap that records every call and lets the test
 * kill the child at the moment one reaches Stripe. The fake and the tap outlive every child.
 */

// ---- the tap between Glade and the fake Stripe ----------------------------------------------------

/** One API call Glade made to Stripe, and what Stripe answered (the object's id, kind and metadata). */
export type StripeCall = {
  method: string;
  path: string;
  status?: number;
  objectId?: string;
  object?: string;
  metadata?: Record<string, string>;
};

export type StripeTap = {
  url: string;
  calls: StripeCall[];
  /** Called as each call reaches Stripe ("request") and as its answer leaves for Glade ("response"). */
  listener: ((call: StripeCall, phase: "request" | "response") => void) | undefined;
  close(): Promise<void>;
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const HOP_BY_HOP = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive"]);

/** A recording proxy in front of the fake Stripe's API, for `GLADE_STRIPE_API_URL`. */
export async function startStripeTap(fake: FakeStripe): Promise<StripeTap> {
  const tap: StripeTap = { url: "", calls: [], listener: undefined, close: async () => undefined };
  const server: Server = createServer(async (req, res) => {
    const call: StripeCall = { method: req.method ?? "GET", path: (req.url ?? "/").split("?")[0] ?? "/" };
    const body = await readBody(req);
    tap.calls.push(call);
    tap.listener?.(call, "request");
    const headers = Object.entries(req.headers).flatMap(([name, value]) =>
      HOP_BY_HOP.has(name) || value === undefined ? [] : [[name, String(value)] as [string, string]],
    );
    let status = 502;
    let text = "";
    const answerHeaders: Record<string, string> = {};
    try {
      const upstream = await fetch(`${fake.apiUrl}${req.url}`, {
        method: call.method,
        headers,
        ...(call.method === "GET" ? {} : { body }),
      });
      status = upstream.status;
      text = await upstream.text();
      upstream.headers.forEach((value, name) => {
        if (!HOP_BY_HOP.has(name) && name !== "content-encoding") answerHeaders[name] = value;
      });
      const parsed = JSON.parse(text) as { id?: string; object?: string; metadata?: Record<string, string> };
      call.objectId = parsed.id;
      call.object = parsed.object;
      call.metadata = parsed.metadata;
    } catch {
      // The fake answered something other than an object (or nothing): passed on as it came.
    }
    call.status = status;
    tap.listener?.(call, "response");
    // The child may have been killed meanwhile: its connection is gone, and that is all.
    if (!res.destroyed) res.writeHead(status, answerHeaders).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  tap.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tap.close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return tap;
}

// ---- killing at a chosen moment -------------------------------------------------------------------

type Rng = () => number;

/** One turn of the test process's event loop (I/O included): how "a moment later" is counted. */
export const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A random moment after a trigger: some event-loop turns, or a few milliseconds. It only picks when the
 * kill lands; nothing waits on it to see an outcome.
 */
export async function randomMoment(rng: Rng, maxTurns = 40, maxMs = 25): Promise<string> {
  if (rng() < 0.5) {
    const turns = Math.floor(rng() * maxTurns);
    for (let i = 0; i < turns; i++) await turn();
    return `${turns} turns`;
  }
  const ms = Math.floor(rng() * maxMs);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return `${ms} ms`;
}

export type KillPlan = {
  /** The Stripe call (and phase) that starts the countdown; undefined: the moment the action was sent. */
  trigger?: { phase: "request" | "response"; matches: (call: StripeCall) => boolean };
  rng: Rng;
};

/**
 * Starts `action` against the child and SIGKILLs the child at a random moment after the plan's trigger.
 * If the action finishes before the trigger comes, the child is killed then. Resolves with the action's
 * outcome and where the kill landed.
 */
export async function killDuring<T>(
  tap: StripeTap,
  child: ServerChild,
  plan: KillPlan,
  action: () => Promise<T>,
): Promise<{ outcome: T; killedAt: string }> {
  let triggered: (() => void) | undefined;
  const trigger = new Promise<string>((resolve) => {
    triggered = () => resolve("trigger");
  });
  if (plan.trigger) {
    const { phase, matches } = plan.trigger;
    tap.listener = (call, seen) => {
      if (seen === phase && matches(call)) {
        tap.listener = undefined;
        triggered?.();
      }
    };
  } else triggered?.();
  const running = action();
  const settled = running.then(
    () => "finished",
    () => "finished",
  );
  const first = await Promise.race([trigger, settled]);
  const killedAt = first === "trigger" ? await randomMoment(plan.rng) : "after it finished (no trigger)";
  tap.listener = undefined;
  await killHard(child);
  return { outcome: await running, killedAt };
}

// ---- the world --------------------------------------------------------------------------------------

export type StripeCrashWorld = {
  databaseUrl: string;
  port: number;
  fake: FakeStripe;
  tap: StripeTap;
  /** In-process access to the same database, with the same Stripe (through the tap): the reconciler's. */
  deps: AppDeps;
  handle: DbHandle;
  organizationId: string;
  key: string;
  prices: { oneTime: string; monthly: string; trial: string };
  customers: string[];
};

/** The environment the child needs for Stripe: the sealing key, and Stripe's API and Stripe.js. */
function stripeEnv(fake: FakeStripe, tap: StripeTap): Record<string, string> {
  return {
    GLADE_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    GLADE_STRIPE_API_URL: tap.url,
    GLADE_STRIPE_JS_URL: fake.stripeJsUrl,
  };
}

/** `glade start` on the world's port (the same each time: the webhook URL Stripe knows stays right). */
export function startStripeChild(
  world: Pick<StripeCrashWorld, "databaseUrl" | "port" | "fake" | "tap">,
): Promise<ServerChild> {
  return startServerChild(world.databaseUrl, world.port, 30_000, stripeEnv(world.fake, world.tap));
}

/**
 * A merchant set up through the running child's API: Stripe connected (the child checks the key with the
 * fake), a catalog, a few customers; the fake's webhooks point at the child's URL, delivered by the test.
 */
export async function createStripeCrashWorld(
  base: Omit<StripeCrashWorld, "deps" | "handle" | "organizationId" | "key" | "prices" | "customers">,
  child: ServerChild,
): Promise<StripeCrashWorld> {
  const handle = await openDatabase({ databaseUrl: base.databaseUrl, dataDir: "", poolSize: 5 });
  const config = {
    ...loadConfig({
      LOG_LEVEL: "silent",
      GLADE_CARD_ATTEMPTS_PER_CLIENT: process.env.GLADE_CARD_ATTEMPTS_PER_CLIENT,
      ...stripeEnv(base.fake, base.tap),
    }),
    databaseUrl: base.databaseUrl,
  };
  const deps: AppDeps = {
    db: handle.db,
    config,
    logger: createLogger("silent"),
    processors: processorRegistry(handle.db, config),
    usageBilling,
    now: () => new Date(),
  };
  const merchant = await newMerchant(deps.db, "Stripe Crash Merchant");
  const server = { api: httpApi(child.base), merchant: async () => merchant };
  const webhookSecret = `whsec_crash${Date.now()}`;
  const { fake } = base;
  await ok(
    server.api("POST", "/api/v1/processors/stripe", {
      key: merchant.testKey,
      body: { secretKey: fake.secretKey, publishableKey: fake.publishableKey, webhookSecret },
    }),
    "connect stripe",
    201,
  );
  fake.setWebhook({
    url: `${child.base}/processors/stripe/webhook/${merchant.organizationId}/test`,
    secret: webhookSecret,
    auto: false,
  });
  const f = await catalogFixture(server, { productName: "Stripe Crash Pro" });
  const customers: string[] = [];
  for (let i = 0; i < 3; i++) {
    customers.push((await createCustomer(server, merchant.testKey, `stripe-crash-${i}`)).externalId);
  }
  return {
    ...base,
    deps,
    handle,
    organizationId: merchant.organizationId,
    key: merchant.testKey,
    prices: { oneTime: f.oneTimePriceId, monthly: f.monthlyPriceId, trial: f.trialPriceId },
    customers,
  };
}
