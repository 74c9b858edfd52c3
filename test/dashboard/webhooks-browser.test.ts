import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { runDeliveryBatch } from "../../src/webhooks/index.js";
import { type BrowserContext, browserContext } from "../support/browser.js";
import {
  DASHBOARD_PASSWORD,
  dashboardUser,
  ok,
  type Receiver,
  startReceiver,
  type TestMerchant,
} from "../support/index.js";

const b: BrowserContext = await browserContext();
const { ctx } = b;

const shoot = (page: Page, name: string) => b.shootWidths(page, `dashboard-webhooks-${name}`);

/**
 * The delivery job as `glade start` runs it, for this organization only: the page is then watched until what
 * it sent shows up (a condition with a deadline, never a fixed sleep).
 */
function deliveryWorker(organizationId: string) {
  let running = true;
  const loop = (async () => {
    while (running) {
      const result = await runDeliveryBatch(ctx.deps, { organizationId });
      if (result.claimed === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

/** Reloads until `text` is on the page. */
async function reloadUntil(page: Page, text: string | RegExp) {
  await expect
    .poll(
      async () => {
        await page.reload();
        return page.getByText(text).count();
      },
      { timeout: 60_000, interval: 200 },
    )
    .toBeGreaterThan(0);
}

describe("dashboard webhooks in Chromium", () => {
  it("adds an endpoint, watches a delivery arrive, redelivers it and reads the event", async () => {
    const receiver = await startReceiver((_req, n) => ({ status: 200, body: `received ${n + 1}` }));
    const m = await ctx.merchant("Webhooks Browser Org");
    const stopWorker = deliveryWorker(m.organizationId);
    try {
      await clickThrough(m, receiver);
    } finally {
      // Before the file's database closes: the worker must not be mid-query then.
      await stopWorker();
      await receiver.close();
    }
  });
});

async function clickThrough(m: TestMerchant, receiver: Receiver) {
  const user = await dashboardUser(ctx, m.organizationId, "admin");
  const page = await b.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${b.baseUrl}/dashboard/sign-in`);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(DASHBOARD_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${b.baseUrl}/dashboard`);

  await page.getByRole("link", { name: "Webhooks", exact: true }).click();
  await page.waitForURL(`${b.baseUrl}/dashboard/developers/webhooks`);
  expect(await page.getByText("No test endpoints yet.").isVisible()).toBe(true);
  await shoot(page, "empty");

  // A submit with nothing chosen: the error sits next to the event types, the URL stays as typed.
  await page.getByLabel("Endpoint URL").fill(receiver.url);
  await page.getByRole("button", { name: "Add endpoint" }).click();
  await page.locator("#new-types-error").waitFor();
  expect(await page.getByLabel("Endpoint URL").inputValue()).toBe(receiver.url);
  await shoot(page, "create-error");

  // With the keyboard: focus the checkbox, Space ticks it, Enter in the URL field submits.
  await page.getByLabel("customer.created", { exact: true }).focus();
  await page.keyboard.press("Space");
  await page.getByLabel("Description (optional)").fill("Local receiver");
  await page.getByLabel("Endpoint URL").focus();
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/dashboard\/developers\/webhooks\/webhook_\w+\?notice=created$/);
  const endpointUrl = page.url().split("?")[0] ?? "";
  expect(await page.getByRole("status").textContent()).toContain("Endpoint added.");
  await shoot(page, "endpoint-new");

  await page.getByRole("button", { name: "Reveal secret" }).click();
  const secret = (await page.locator("#webhook-secret").textContent()) ?? "";
  expect(secret).toMatch(/^whsec_/);
  receiver.trust(secret);
  await shoot(page, "secret");

  const customer = (
    await ok(
      ctx.api("POST", "/api/v1/customers", {
        key: m.testKey,
        body: { customer: { externalId: "browser-hook", email: "hook@example.com", name: "Hook Buyer" } },
      }),
      "customer",
    )
  ).data.customer;
  await receiver.waitFor(1);
  expect(receiver.received[0]?.signedCorrectly).toBe(true);
  await page.goto(endpointUrl);
  await reloadUntil(page, "Delivered");
  const delivery = page.locator(".webhooks-delivery").first();
  expect(await delivery.textContent()).toMatch(/customer\.created[\s\S]*Delivered[\s\S]*1 attempt/);
  expect(await delivery.textContent()).toContain("HTTP 200");
  expect(await delivery.textContent()).toContain("received 1");
  await delivery.getByText("Request payload").click();
  const payload = (await delivery.locator("pre").last().textContent()) ?? "";
  expect(JSON.parse(payload)).toMatchObject({
    type: "customer.created",
    data: { id: customer.id, externalId: "browser-hook" },
  });
  expect(JSON.parse(payload)).toEqual(JSON.parse(receiver.received[0]?.body ?? "{}"));
  await shoot(page, "delivered");

  await delivery.getByRole("button", { name: /^Redeliver customer\.created/ }).click();
  await page.waitForURL(`${endpointUrl}?notice=redelivered`);
  await receiver.waitFor(2);
  expect(receiver.received[1]?.id).toBe(receiver.received[0]?.id);
  expect(receiver.received[1]?.signedCorrectly).toBe(true);
  await reloadUntil(page, "2 attempts");
  const again = page.locator(".webhooks-delivery").first();
  expect(await again.textContent()).toContain("received 2");
  await again.getByText("Attempts", { exact: true }).click();
  expect(await again.locator(".webhooks-attempts li").count()).toBe(2);
  await shoot(page, "redelivered");

  await page.getByText("Edit URL, events or enabled").click();
  await page.getByLabel("customer.updated", { exact: true }).check();
  await shoot(page, "edit");
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.waitForURL(`${endpointUrl}?notice=saved`);
  expect(await page.locator(".webhooks-facts").textContent()).toContain("customer.created, customer.updated");
  const saved = (
    await ok(ctx.api("GET", `/api/v1/webhooks/${endpointUrl.split("/").pop()}`, { key: m.testKey }))
  ).webhook;
  expect(saved).toMatchObject({ eventTypes: ["customer.created", "customer.updated"], active: true });

  await page.locator(".webhooks-delivery").first().getByRole("link", { name: "customer.created" }).click();
  await page.waitForURL(/\/dashboard\/developers\/events\/evt_\w+$/);
  expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Event");
  expect(await page.locator("#event-payload").textContent()).toContain(customer.id);
  await shoot(page, "event");

  await page.getByRole("link", { name: "Events", exact: true }).click();
  await page.waitForURL(`${b.baseUrl}/dashboard/developers/events`);
  expect(await page.getByRole("link", { name: "API docs" }).getAttribute("href")).toBe("/api/docs");
  expect(await page.locator("tbody tr").count()).toBe(1);
  expect(await page.locator("tbody").textContent()).toContain(customer.id);
  await shoot(page, "events");

  await page.getByRole("link", { name: "Webhooks", exact: true }).click();
  expect(await page.getByRole("link", { name: receiver.url }).count()).toBe(1);
  await shoot(page, "list");

  // Delete takes a second click: the first opens what it will do.
  await page.goto(endpointUrl);
  const remove = page.getByRole("button", { name: "Delete this endpoint" });
  expect(await remove.isVisible()).toBe(false);
  await page.getByText("Delete endpoint…").click();
  expect(await remove.isVisible()).toBe(true);
  await shoot(page, "delete-confirm");
  await remove.click();
  await page.waitForURL(`${endpointUrl}?notice=deleted`);
  expect(await page.getByRole("status").textContent()).toContain("Endpoint deleted");
  expect(await page.locator(".webhooks-facts").textContent()).toContain("Disabled");
  expect(await page.locator(".webhooks-delivery").count()).toBeGreaterThan(0);
  await shoot(page, "deleted");
}
