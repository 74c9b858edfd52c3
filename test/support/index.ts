/**
 * The one place tests get their fixtures from. Left out on purpose: ./browser.ts (playwright-core takes about
 * two seconds to load, paid only by the files that drive Chromium), ./webhooks-worker.ts (a script run as its
 * own process) and ./global-setup.ts (Vitest's).
 */
export * from "./api.js";
export * from "./app.js";
export * from "./catalog.js";
export * from "./catalog-features.js";
export * from "./checkout.js";
export * from "./clock.js";
export * from "./crash-harness.js";
export * from "./dashboard.js";
export * from "./databases.js";
export * from "./db-proxy.js";
export * from "./discounts.js";
export * from "./entitlements.js";
export * from "./overview.js";
export * from "./plans.js";
export * from "./portal.js";
export * from "./processors.js";
export * from "./records.js";
export * from "./sdk.js";
export * from "./server.js";
export * from "./subscriptions.js";
export * from "./usage.js";
export * from "./usage-events.js";
export * from "./usage-world.js";
export * from "./webhook-backlog.js";
export * from "./webhooks.js";
