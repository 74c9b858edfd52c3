import type { AppDeps, ProcessorTenant } from "../context/index.js";
import { processorConnections } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { type ConnectionRow, noConnection } from "./connections.js";

/** Removes the tenant's connection: test mode goes back to the sandbox, live mode refuses new sessions. */
export async function disconnectStripe(
  deps: Pick<AppDeps, "db" | "processors">,
  merchant: ProcessorTenant,
): Promise<ConnectionRow> {
  const [row] = await deps.db
    .delete(processorConnections)
    .where(ownedBy(processorConnections, merchant))
    .returning();
  if (!row) throw noConnection(merchant);
  deps.processors.forget(merchant);
  return row;
}
