import { openRuntime, type Runtime } from "../deps.js";
import type { Config } from "../lib/config.js";
import { AppError } from "../lib/errors.js";
import { getOrganization } from "../organizations/index.js";
import {
  connectStripe,
  describeConnection,
  disconnectStripe,
  rotateSealedSecrets,
  serializeProcessorConnection,
} from "../processors/index.js";
import { flag } from "./args.js";

/** What a command answers: an exit code, or "usage" when its arguments were wrong (the usage is printed). */
type Outcome = number | "usage";

const out = (line: string) => process.stdout.write(`${line}\n`);
const fail = (line: string) => {
  process.stderr.write(`${line}\n`);
  return 1;
};

type Tenant = { organizationId: string; livemode: boolean; mode: "test" | "live" };

function tenantOf(args: string[]): Tenant | undefined {
  const organizationId = flag(args, "--org");
  const mode = flag(args, "--mode");
  if (!organizationId || (mode !== "test" && mode !== "live")) return undefined;
  return { organizationId, livemode: mode === "live", mode };
}

/** Runs `work` on a runtime closed afterwards; a refusal (AppError) is printed, not thrown with its stack. */
async function withRuntime(config: Config, work: (runtime: Runtime) => Promise<number>): Promise<number> {
  const runtime = await openRuntime(config);
  try {
    return await work(runtime);
  } catch (err) {
    if (err instanceof AppError) return fail(err.message);
    throw err;
  } finally {
    await runtime.handle.close();
  }
}

/**
 * The secrets from flags, or from the environment so they stay out of shell history and `ps`. Never
 * printed, whatever happens next.
 */
function stripeKeysFrom(args: string[], env: NodeJS.ProcessEnv) {
  return {
    secretKey: flag(args, "--secret-key") ?? env.STRIPE_SECRET_KEY,
    publishableKey: flag(args, "--publishable-key") ?? env.STRIPE_PUBLISHABLE_KEY,
    webhookSecret: flag(args, "--webhook-secret") ?? env.STRIPE_WEBHOOK_SECRET,
  };
}

async function connect(
  config: Config,
  tenant: Tenant,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<Outcome> {
  const { secretKey, publishableKey, webhookSecret } = stripeKeysFrom(args, env);
  if (!secretKey || !publishableKey || !webhookSecret) {
    process.stderr.write(
      "processors connect stripe needs --secret-key, --publishable-key and --webhook-secret (or STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY and STRIPE_WEBHOOK_SECRET)\n",
    );
    return "usage";
  }
  return withRuntime(config, async ({ deps }) => {
    if (!(await getOrganization(deps.db, tenant.organizationId))) {
      return fail(`organization ${tenant.organizationId} not found`);
    }
    const keys = { secretKey, publishableKey, webhookSecret };
    const { connection, created } = await connectStripe(deps, tenant, keys, deps.now());
    const shown = serializeProcessorConnection(connection, config.publicUrl);
    out(
      `Stripe ${created ? "connected" : "keys replaced"} for ${tenant.organizationId} in ${tenant.mode} mode: account ${shown.accountId}, secret key ${shown.secretKeyHint}`,
    );
    out(
      "Add this webhook endpoint in Stripe (Developers → Webhooks), with the events listed in docs/stripe.md:",
    );
    out(`  ${shown.webhookUrl}`);
    return 0;
  });
}

/** `glade processors connect|show|disconnect [stripe] --org <id> --mode test|live`. */
export async function processorsCommand(
  args: string[],
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Outcome> {
  const [verb, ...rest] = args;
  // Stripe is the one processor: `show` and `disconnect` may leave it unnamed, `connect` names it.
  const processor = rest[0]?.startsWith("--") === false ? rest[0] : undefined;
  const tenant = tenantOf(rest);
  if (!tenant || (processor !== undefined && processor !== "stripe")) return "usage";
  switch (verb) {
    case "connect":
      return processor ? connect(config, tenant, rest, env) : "usage";
    case "show":
      return withRuntime(config, async ({ deps }) => {
        const processorConnection = await describeConnection(deps, tenant);
        if (!processorConnection) {
          return fail(`No Stripe connection for ${tenant.organizationId} in ${tenant.mode} mode`);
        }
        out(JSON.stringify({ processorConnection }, null, 2));
        return 0;
      });
    case "disconnect":
      return withRuntime(config, async ({ deps }) => {
        await disconnectStripe(deps, tenant);
        out(
          `Stripe disconnected for ${tenant.organizationId} in ${tenant.mode} mode: ${
            tenant.livemode
              ? "live mode refuses new checkout sessions until a processor is connected"
              : "new test-mode sessions use the sandbox"
          }`,
        );
        return 0;
      });
    default:
      return "usage";
  }
}

/** `glade secrets rotate`: re-seals what older keys sealed under the first key of GLADE_ENCRYPTION_KEY. */
export async function secretsCommand(args: string[], config: Config): Promise<Outcome> {
  if (args[0] !== "rotate") return "usage";
  return withRuntime(config, async ({ deps }) => {
    const { resealed, sealingKeyId } = await rotateSealedSecrets(deps);
    out(
      `Re-sealed ${resealed} processor connection(s) under encryption key ${sealingKeyId}; the keys after the first in GLADE_ENCRYPTION_KEY can now be removed`,
    );
    return 0;
  });
}
