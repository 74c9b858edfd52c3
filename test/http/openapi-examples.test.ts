import { describe, expect, it } from "vitest";
import { documentedExamples } from "../../src/http/openapi.js";
import { testContext } from "../support/index.js";

const ctx = await testContext();

describe("the API reference's examples", () => {
  it("each parses with the schema it illustrates", () => {
    const examples = documentedExamples();
    expect(examples.length).toBeGreaterThanOrEqual(12);
    for (const example of examples) {
      const parsed = example.schema.safeParse(example.value);
      expect(parsed.success, `${example.name}: ${parsed.error?.message}`).toBe(true);
    }
  });

  it("are in the served document, which names this server so copied curl commands work", async () => {
    const res = await ctx.api("GET", "/api/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.servers).toEqual([{ url: ctx.deps.config.publicUrl }]);
    const create = res.body.paths["/api/v1/checkout-sessions"].post;
    const examples = create.requestBody.content["application/json"].examples;
    expect(Object.keys(examples)).toEqual([
      "product",
      "anonymous",
      "addPaymentMethod",
      "activateSubscription",
    ]);
    expect(create.responses["200"].content["application/json"].examples.open.value.url).toMatch(
      /\/checkout\//,
    );
    const customer = res.body.paths["/api/v1/customers"].post.responses["200"].content["application/json"];
    expect(customer.examples.created.value.data.customer.id).toMatch(/^cus_/);
  });

  it("a wrong example is caught: the check is not vacuous", () => {
    const activate = documentedExamples().find((e) => e.name === "activateSubscription");
    const value = activate?.value as { checkoutSession: Record<string, unknown> };
    const { targetSubscriptionId: _, ...withoutTarget } = value.checkoutSession;
    expect(activate?.schema.safeParse({ checkoutSession: withoutTarget }).success).toBe(false);
  });
});
