import { createSignInLink, ensureUser, findUserByEmail, ROLES, setMembership } from "../dashboard/index.js";
import type { DashboardRole } from "../db/schema/index.js";
import { openRuntime } from "../deps.js";
import type { Config } from "../lib/config.js";
import { getOrganization } from "../organizations/index.js";
import { flag } from "./args.js";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function signInLinkUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/dashboard/link/${token}`;
}

/**
 * `glade users create --email <e> --org <id> --role owner|admin|viewer [--name <n>]` adds (or re-roles) a
 * dashboard user and prints a one-time link where they choose a password; `glade users reset-password --email <e>`
 * prints a new one (the new password ends every session of the account).
 */
export async function usersCommand(args: string[], config: Config): Promise<number | "usage"> {
  const email = flag(args, "--email");
  if (!email || (args[0] !== "create" && args[0] !== "reset-password")) return "usage";
  if (!EMAIL.test(email)) {
    process.stderr.write(`--email ${email} is not an email address\n`);
    return 1;
  }
  const runtime = await openRuntime(config);
  const { db } = runtime.deps;
  const now = runtime.deps.now();
  try {
    if (args[0] === "create") {
      const org = flag(args, "--org");
      const role = flag(args, "--role") as DashboardRole | undefined;
      if (!org || !role || !ROLES.includes(role)) {
        process.stderr.write(`users create needs --org <organizationId> and --role ${ROLES.join("|")}\n`);
        return 2;
      }
      if (!(await getOrganization(db, org))) {
        process.stderr.write(`organization ${org} not found\n`);
        return 1;
      }
      const name = flag(args, "--name");
      const user = await ensureUser(db, { email, ...(name ? { name } : {}) }, now);
      await setMembership(db, { userId: user.id, organizationId: org, role }, now);
      const token = await createSignInLink(db, user.id, now);
      process.stdout.write(
        `${user.email} is ${role} of ${org}.\nChoose a password (link works once, for 24 hours):\n${signInLinkUrl(config.publicUrl, token)}\n`,
      );
      return 0;
    }
    const user = await findUserByEmail(db, email);
    if (!user) {
      process.stderr.write(`no dashboard user ${email}\n`);
      return 1;
    }
    const token = await createSignInLink(db, user.id, now);
    process.stdout.write(
      `Reset link for ${user.email} (works once, for 24 hours):\n${signInLinkUrl(config.publicUrl, token)}\n`,
    );
    return 0;
  } finally {
    await runtime.handle.close();
  }
}
