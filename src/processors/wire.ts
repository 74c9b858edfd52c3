import type { ProcessorRegistry } from "../context/index.js";
import type { Executor } from "../db/client.js";
import type { Config } from "../lib/config.js";
import { createSandboxProcessor } from "../payments/index.js";
import { createProcessorRegistry } from "./registry.js";

/** The registry every runtime uses: the sandbox, and each tenant's connected processor. */
export function processorRegistry(db: Executor, _config: Config): ProcessorRegistry {
  return createProcessorRegistry({
    sandbox: createSandboxProcessor(db),
    readConnection: async () => undefined,
    build: () => {
      throw new Error("no processor connections yet");
    },
  });
}
