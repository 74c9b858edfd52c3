import type { Examples } from "../lib/wire.js";

export const createCustomerExamples: Examples = {
  minimal: {
    summary: "A customer, keyed by your own user id",
    value: { customer: { externalId: "user_123", email: "ada@example.com", name: "Ada Lovelace" } },
  },
};

const created = Date.UTC(2026, 11, 1, 9, 30);

export const createdCustomerExamples: Examples = {
  created: {
    summary: "Flowglad's shape: the customer inside `data`",
    value: {
      data: {
        customer: {
          id: "cus_3Jv6nH1sL8",
          externalId: "user_123",
          email: "ada@example.com",
          name: "Ada Lovelace",
          archived: false,
          livemode: false,
          organizationId: "org_9Kd2mB5xR3",
          pricingModelId: "pricing_model_5Tq1wE8uC2",
          domain: null,
          iconURL: null,
          logoURL: null,
          userId: null,
          invoiceNumberBase: "3JV6NH1S",
          createdAt: created,
          updatedAt: created,
        },
      },
    },
  },
};
