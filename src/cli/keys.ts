import { openRuntime } from "../deps.js";
import type { Config } from "../lib/config.js";
import { getApiKey, revokeApiKey } from "../organizations/index.js";
import { flag } from "./args.js";

/** `glade keys revoke --org <organizationId> --id <apiKeyId>`: exit 0 revoked (or already), 1 not found, 2 usage. */
export async function revokeKeyCommand(config: Config, args: string[]): Promise<number> {
  const organizationId = flag(args, "--org");
  const id = flag(args, "--id");
  if (!organizationId || !id) {
    process.stderr.write("usage: glade keys revoke --org <organizationId> --id <apiKeyId>\n");
    return 2;
  }
  const runtime = await openRuntime(config);
  try {
    const db = runtime.deps.db;
    // The key must be the organization's, in either mode: an id of another organization finds nothing.
    const key =
      (await getApiKey(db, { organizationId, livemode: false }, id)) ??
      (await getApiKey(db, { organizationId, livemode: true }, id));
    if (!key) {
      process.stderr.write(`no API key ${id} in organization ${organizationId}\n`);
      return 1;
    }
    if (key.revokedAt) {
      process.stdout.write(
        `${id} (${key.keyPrefix}…) was already revoked at ${key.revokedAt.toISOString()}\n`,
      );
      return 0;
    }
    await revokeApiKey(db, id, runtime.deps.now());
    process.stdout.write(
      `${id} (${key.keyPrefix}…) revoked: every Glade process on this database refuses it now\n`,
    );
    return 0;
  } finally {
    await runtime.handle.close();
  }
}
