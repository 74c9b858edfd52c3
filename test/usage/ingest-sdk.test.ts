import { Flowglad } from "@flowglad/node";
import { describe, expect, it } from "vitest";
import { serializeUsageEvent, type UsageEventData } from "../../src/usage/index.js";
import {
  anyMs,
  flowgladClient,
  newTransactionId,
  type RequestLog,
  serveGlade,
  totalsOf,
  usageFixture,
} from "../support/index.js";

/** The official client's usageEvents.create and retrieve against Glade over HTTP. */
const glade = await serveGlade();

/** Every field `@flowglad/node` declares on a usage event, no more: a missing or extra one fails to compile. */
const SDK_FIELDS: Record<keyof Flowglad.UsageEventCreateResponse.UsageEvent, true> = {
  id: true,
  amount: true,
  createdAt: true,
  customerId: true,
  livemode: true,
  priceId: true,
  pricingModelId: true,
  subscriptionId: true,
  transactionId: true,
  updatedAt: true,
  usageDate: true,
  usageMeterId: true,
  billingPeriodId: true,
  properties: true,
};

// The serializer's output is the SDK's record type (checked by the compiler, here and in retrieve's).
const asCreated = (row: UsageEventData): Flowglad.UsageEventCreateResponse.UsageEvent =>
  serializeUsageEvent(row);
const asRetrieved = (row: UsageEventData): Flowglad.UsageEventRetrieveResponse.UsageEvent =>
  serializeUsageEvent(row);
void asCreated;
void asRetrieved;

describe("@flowglad/node usage events", () => {
  it("creates by each kind of target and retrieves, with every declared field and nothing else", async () => {
    const f = await usageFixture(glade.ctx);
    const log: RequestLog = [];
    const client = flowgladClient(glade, f.key, { log });
    const targets: Flowglad.UsageEventCreateParams.UsageEvent[] = [
      {
        amount: 3,
        subscriptionId: f.subscriptionId,
        transactionId: newTransactionId(),
        priceId: f.sum.priceId,
      },
      {
        amount: 4,
        subscriptionId: f.subscriptionId,
        transactionId: newTransactionId(),
        priceSlug: f.sum.priceSlug,
      },
      {
        amount: 5,
        subscriptionId: f.subscriptionId,
        transactionId: newTransactionId(),
        usageMeterId: f.sum.id,
      },
      {
        amount: 6,
        subscriptionId: f.subscriptionId,
        transactionId: newTransactionId(),
        usageMeterSlug: f.distinct.slug,
        properties: { user: "ada" },
        usageDate: Date.parse("2026-01-02T03:04:05Z"),
      },
    ];
    for (const usageEvent of targets) {
      const { usageEvent: created } = await client.usageEvents.create({ usageEvent });
      expect(Object.keys(created).sort()).toEqual(Object.keys(SDK_FIELDS).sort());
      expect(created).toEqual({
        id: expect.stringMatching(/^usage_event_/),
        amount: usageEvent.amount,
        createdAt: anyMs(),
        updatedAt: anyMs(),
        customerId: f.customerId,
        livemode: false,
        priceId: usageEvent.usageMeterSlug ? f.distinct.priceId : f.sum.priceId,
        pricingModelId: f.pricingModelId,
        subscriptionId: f.subscriptionId,
        transactionId: usageEvent.transactionId,
        usageDate: usageEvent.usageDate ?? created.createdAt,
        usageMeterId: usageEvent.usageMeterSlug ? f.distinct.id : f.sum.id,
        billingPeriodId: f.billingPeriodId,
        properties: usageEvent.properties ?? null,
      });
      const { usageEvent: read } = await client.usageEvents.retrieve(created.id);
      expect(read).toEqual(created);
      // The client retried nothing: the same transactionId again answers the same event.
      const { usageEvent: again } = await client.usageEvents.create({ usageEvent });
      expect(again).toEqual(created);
    }
    expect(log.filter((r) => r.method === "POST").map((r) => r.path)).toEqual(
      Array(8).fill("/api/v1/usage-events"),
    );
    expect(await totalsOf(glade.ctx, f.subscriptionId)).toEqual(
      [
        [f.billingPeriodId, f.sum.id, f.sum.priceId, 12, 3],
        [f.billingPeriodId, f.distinct.id, f.distinct.priceId, 1, 1],
      ].sort((a, b) => `${a[0]}${a[1]}${a[2]}`.localeCompare(`${b[0]}${b[1]}${b[2]}`)),
    );
  });

  it("raises the client's typed errors: NotFoundError for an unknown subscription, BadRequestError otherwise", async () => {
    const f = await usageFixture(glade.ctx);
    const client = flowgladClient(glade, f.key);
    const create = (fields: Partial<Flowglad.UsageEventCreateParams.UsageEvent>) =>
      client.usageEvents.create({
        usageEvent: {
          amount: 1,
          subscriptionId: f.subscriptionId,
          transactionId: newTransactionId(),
          usageMeterId: f.sum.id,
          ...fields,
        },
      });
    await expect(create({ subscriptionId: "sub_missing" })).rejects.toBeInstanceOf(Flowglad.NotFoundError);
    await expect(create({ usageMeterId: f.distinct.id })).rejects.toBeInstanceOf(Flowglad.BadRequestError);
    await expect(create({ priceId: f.sum.priceId })).rejects.toBeInstanceOf(Flowglad.BadRequestError);
    await expect(client.usageEvents.retrieve("usage_event_missing")).rejects.toBeInstanceOf(
      Flowglad.NotFoundError,
    );
  });
});
