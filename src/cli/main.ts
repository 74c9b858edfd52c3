import { createApp } from "../app.js";
import { openRuntime } from "../deps.js";
import { openApiDocument } from "../http/openapi-doc.js";
import { startBackgroundJobs } from "../jobs.js";
import { loadConfig } from "../lib/config.js";
import { createApiKey, getOrganization } from "../organizations/index.js";
import { flag } from "./args.js";
import { revokeKeyCommand } from "./keys.js";
import { organizationCommand } from "./organization.js";
import { processorsCommand, secretsCommand } from "./processors.js";
import { seedDemo } from "./seed.js";
import { startCommand } from "./start.js";
import { usersCommand } from "./users.js";

const USAGE = `glade <command>

  start              migrate, seed the demo merchant (embedded database only), serve
  migrate            apply the committed SQL migrations
  worker             run only the background jobs (webhook delivery, sweeps) until SIGTERM
  seed               create (or reuse) the demo merchant and print its test key
  keys create --org <organizationId> [--live] [--name <name>]
  keys revoke --org <organizationId> --id <apiKeyId>
                     revoke a key: every Glade process refuses it from the moment the revocation commits
  users create --email <email> --org <organizationId> --role owner|admin|viewer [--name <name>]
  users reset-password --email <email>
                     a dashboard user (or a new role); prints a one-time link to choose a password
  org profile --org <organizationId> [--name <name>] [--address-line <line>]…
      [--support-email <email> | --no-support-email]
                     the seller's name, address and support email on invoices, receipts and the
                     billing portal (address lines given replace the old ones)
  processors connect stripe --org <organizationId> --mode test|live
      [--secret-key sk_… --publishable-key pk_… --webhook-secret whsec_…]
                     connect (or replace) the organization's Stripe keys for one mode, checked with
                     Stripe first and stored sealed (needs GLADE_ENCRYPTION_KEY); prints the webhook URL
                     to add in Stripe. The keys may come from STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY
                     and STRIPE_WEBHOOK_SECRET instead, so they stay out of shell history
  processors show [stripe] --org <organizationId> --mode test|live
  processors disconnect [stripe] --org <organizationId> --mode test|live
  secrets rotate     re-seal stored processor secrets under the first key of GLADE_ENCRYPTION_KEY
                     (list the new key first, the old ones after it; drop them once this is done)
  openapi            print the OpenAPI document
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const config = loadConfig();
  switch (command) {
    case "start": {
      await startCommand(config);
      return -1;
    }
    case "worker": {
      // Any number of workers (and servers) may share one database: deliveries are claimed with SKIP LOCKED.
      const runtime = await openRuntime(config);
      const jobs = startBackgroundJobs(runtime.deps);
      process.stdout.write("Glade worker running background jobs (SIGTERM to stop)\n");
      const shutdown = async () => {
        await jobs.stop();
        await runtime.handle.close();
        process.exit(0);
      };
      process.once("SIGINT", shutdown);
      process.once("SIGTERM", shutdown);
      return -1;
    }
    case "migrate": {
      const runtime = await openRuntime(config);
      await runtime.handle.close();
      process.stdout.write("migrations applied\n");
      return 0;
    }
    case "seed": {
      const runtime = await openRuntime(config);
      const demo = await seedDemo(runtime.deps);
      process.stdout.write(`${demo.summary.join("\n")}\n`);
      await runtime.handle.close();
      return 0;
    }
    case "keys": {
      if (args[0] === "revoke") return revokeKeyCommand(config, args);
      if (args[0] !== "create") break;
      const org = flag(args, "--org");
      if (!org) break;
      const runtime = await openRuntime(config);
      try {
        if (!(await getOrganization(runtime.deps.db, org))) {
          process.stderr.write(`organization ${org} not found\n`);
          return 1;
        }
        const { key, secret } = await createApiKey(
          runtime.deps.db,
          {
            organizationId: org,
            livemode: args.includes("--live"),
            name: flag(args, "--name"),
          },
          runtime.deps.now(),
        );
        process.stdout.write(`${secret}\n(id ${key.id}; shown once, store it now)\n`);
      } finally {
        await runtime.handle.close();
      }
      return 0;
    }
    case "users": {
      const outcome = await usersCommand(args, config);
      if (outcome === "usage") break;
      return outcome;
    }
    case "org": {
      const outcome = await organizationCommand(args, config);
      if (outcome === "usage") break;
      return outcome;
    }
    case "processors": {
      const outcome = await processorsCommand(args, config);
      if (outcome === "usage") break;
      return outcome;
    }
    case "secrets": {
      const outcome = await secretsCommand(args, config);
      if (outcome === "usage") break;
      return outcome;
    }
    case "openapi": {
      const app = createApp({
        db: undefined as never,
        config,
        logger: undefined as never,
        processors: undefined as never,
        usageBilling: undefined as never,
        // Only documents the routes, never serves one: no row is written with this clock.
        now: () => new Date(),
      });
      // Wait for the write to flush: exiting right after a large write to a pipe truncates it at 64 KiB.
      await new Promise<void>((resolve) =>
        process.stdout.write(`${JSON.stringify(openApiDocument(app), null, 2)}\n`, () => resolve()),
      );
      return 0;
    }
  }
  process.stderr.write(USAGE);
  return command === undefined || command === "help" || command === "--help" ? 0 : 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
