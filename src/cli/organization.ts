import { openRuntime } from "../deps.js";
import type { Config } from "../lib/config.js";
import { updateOrganizationProfile } from "../organizations/index.js";
import { flag } from "./args.js";

/** Every value given for a repeatable flag, in order (`--address-line a --address-line b`). */
function flags(args: string[], name: string): string[] {
  return args.flatMap((arg, i) => (arg === name && args[i + 1] !== undefined ? [args[i + 1] as string] : []));
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * `glade org profile --org <id> [--name <n>] [--address-line <line>]… [--support-email <e>|--no-support-email]`:
 * the seller's details on invoices, receipts and the billing portal. Address lines given replace the old ones.
 */
export async function organizationCommand(args: string[], config: Config): Promise<number | "usage"> {
  const orgId = flag(args, "--org");
  if (args[0] !== "profile" || !orgId) return "usage";
  const name = flag(args, "--name");
  const addressLines = flags(args, "--address-line");
  const supportEmail = args.includes("--no-support-email") ? null : flag(args, "--support-email");
  if (supportEmail && !EMAIL.test(supportEmail)) {
    process.stderr.write(`--support-email ${supportEmail} is not an email address\n`);
    return 1;
  }
  if (name !== undefined && name.trim() === "") {
    process.stderr.write("--name must not be empty\n");
    return 1;
  }
  const runtime = await openRuntime(config);
  try {
    const org = await updateOrganizationProfile(
      runtime.deps.db,
      orgId,
      {
        ...(name !== undefined ? { name: name.trim() } : {}),
        ...(addressLines.length > 0 ? { addressLines } : {}),
        ...(supportEmail !== undefined ? { supportEmail } : {}),
      },
      runtime.deps.now(),
    );
    if (!org) {
      process.stderr.write(`organization ${orgId} not found\n`);
      return 1;
    }
    process.stdout.write(
      `${org.name}\n${org.addressLines.join("\n")}${org.addressLines.length ? "\n" : ""}support: ${org.supportEmail ?? "(none)"}\n`,
    );
    return 0;
  } finally {
    await runtime.handle.close();
  }
}
