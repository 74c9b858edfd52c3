import type {
  PaymentProcessor,
  ProcessorName,
  ProcessorRegistry,
  ProcessorTenant,
} from "../context/index.js";
import { AppError } from "../lib/errors.js";

/** What the registry needs of a tenant's stored connection: enough to build its processor. */
export type ConnectionForRegistry = { id: string; updatedAt: Date };

/**
 * How long a process trusts what it read of a tenant's connection. Connecting or disconnecting through
 * this process takes effect at once (`forget`); another process sees it within this time.
 */
export const CONNECTION_CACHE_MS = 5_000;

export const LIVE_MODE_NEEDS_PROCESSOR =
  "Connect a payment processor for live mode (POST /api/v1/processors/stripe) before taking live payments.";

type Cached = { processor: PaymentProcessor | undefined; connectionKey: string | undefined; until: number };

/**
 * The processor for each tenant. A connection serves its mode; test mode without one keeps the sandbox;
 * live mode without one has none: no live session may ever reach the sandbox.
 */
export function createProcessorRegistry<Connection extends ConnectionForRegistry>(options: {
  sandbox: PaymentProcessor;
  readConnection: (tenant: ProcessorTenant) => Promise<Connection | undefined>;
  build: (connection: Connection) => PaymentProcessor;
  /** The registry's own cache clock (not business time): how long a reading is trusted. */
  monotonicNow?: () => number;
}): ProcessorRegistry {
  const clock = options.monotonicNow ?? (() => performance.now());
  const cache = new Map<string, Cached>();
  const keyOf = (tenant: ProcessorTenant) => `${tenant.organizationId}:${tenant.livemode ? "live" : "test"}`;

  async function connected(tenant: ProcessorTenant): Promise<PaymentProcessor | undefined> {
    const key = keyOf(tenant);
    const hit = cache.get(key);
    if (hit && hit.until > clock()) return hit.processor;
    const connection = await options.readConnection(tenant);
    const connectionKey = connection ? `${connection.id}@${connection.updatedAt.toISOString()}` : undefined;
    // Keep the built processor (and its HTTP agent) while the connection is unchanged.
    let processor: PaymentProcessor | undefined;
    if (connection)
      processor = hit && hit.connectionKey === connectionKey ? hit.processor : options.build(connection);
    cache.set(key, { processor, connectionKey, until: clock() + CONNECTION_CACHE_MS });
    return processor;
  }

  return {
    async forTenant(tenant) {
      const processor = await connected(tenant);
      if (processor) return processor;
      if (tenant.livemode) throw new AppError("UNPROCESSABLE_CONTENT", LIVE_MODE_NEEDS_PROCESSOR);
      return options.sandbox;
    },
    async named(tenant, name: ProcessorName) {
      if (name === "sandbox") {
        if (tenant.livemode) throw new AppError("UNPROCESSABLE_CONTENT", LIVE_MODE_NEEDS_PROCESSOR);
        return options.sandbox;
      }
      const processor = await connected(tenant);
      if (processor?.name === name) return processor;
      throw new AppError(
        "UNPROCESSABLE_CONTENT",
        `This record was made with ${name}, which is no longer connected for this mode; reconnect it first.`,
      );
    },
    forget(tenant) {
      cache.delete(keyOf(tenant));
    },
  };
}
