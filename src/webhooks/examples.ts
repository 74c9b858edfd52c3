import type { Examples } from "../lib/wire.js";

export const createWebhookExamples: Examples = {
  payments: {
    summary: "Receive payment and subscription events (the signing secret comes back once)",
    value: {
      webhook: {
        url: "https://shop.example.com/webhooks/glade",
        eventTypes: ["payment.succeeded", "subscription.created", "subscription.updated"],
        description: "Shop backend",
      },
    },
  },
};
