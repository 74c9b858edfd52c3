import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { eq } from "drizzle-orm";
import { seedDemoCatalog } from "../catalog/index.js";
import { checkoutUrl, createCheckoutSession } from "../checkout/index.js";
import type { AppDeps, Merchant } from "../context/index.js";
import { createSignInLink, ensureUser, setMembership } from "../dashboard/index.js";
import { organizations } from "../db/schema/index.js";
import { authenticateSecret, createApiKey, createOrganization } from "../organizations/index.js";
import { signInLinkUrl } from "./users.js";

export const DEMO_ORG_NAME = "Glade Demo Store";
export const DEMO_OWNER_EMAIL = "owner@demo.glade.test";

type DemoCredentials = { organizationId: string; testSecretKey: string };

/**
 * Creates the demo merchant and its catalog once, remembers its test key next to the embedded data dir
 * (the database keeps only the key's hash), and opens a fresh demo checkout on every start.
 */
export async function seedDemo(
  deps: AppDeps,
): Promise<{ organizationId: string; secret: string; summary: string[] }> {
  const now = deps.now();
  const credentialsFile = join(dirname(deps.config.dataDir), "demo-credentials.json");
  let [org] = await deps.db
    .select()
    .from(organizations)
    .where(eq(organizations.name, DEMO_ORG_NAME))
    .limit(1);
  if (!org) {
    org = await createOrganization(
      deps.db,
      {
        name: DEMO_ORG_NAME,
        addressLines: ["1 Demo Street", "Springfield, IL 62701", "United States"],
        supportEmail: "billing@demo.glade.test",
      },
      now,
    );
  }
  let secret: string | undefined;
  let apiKeyId = "seed";
  if (existsSync(credentialsFile)) {
    const saved = JSON.parse(readFileSync(credentialsFile, "utf8")) as DemoCredentials;
    const key =
      saved.organizationId === org.id ? await authenticateSecret(deps.db, saved.testSecretKey) : undefined;
    if (key) {
      secret = saved.testSecretKey;
      apiKeyId = key.id;
    }
  }
  if (!secret) {
    const created = await createApiKey(
      deps.db,
      {
        organizationId: org.id,
        livemode: false,
        name: "Demo test key",
      },
      now,
    );
    secret = created.secret;
    apiKeyId = created.key.id;
    mkdirSync(dirname(credentialsFile), { recursive: true });
    writeFileSync(
      credentialsFile,
      JSON.stringify({ organizationId: org.id, testSecretKey: secret }, null, 2),
      { mode: 0o600 },
    );
  }
  const merchant: Merchant = { organizationId: org.id, livemode: false, apiKeyId };
  const catalog = await seedDemoCatalog(deps.db, merchant, now);
  const base = deps.config.publicUrl;
  const session = await createCheckoutSession(deps, merchant, {
    type: "product",
    anonymous: true,
    priceId: catalog.oneTimePrice.id,
    quantity: 1,
    successUrl: `${base}/checkout/{CHECKOUT_SESSION_ID}/success`,
    cancelUrl: `${base}/`,
  });
  // The demo owner signs in to the dashboard through a fresh one-time link on every start.
  const owner = await ensureUser(deps.db, { email: DEMO_OWNER_EMAIL, name: "Demo owner" }, now);
  await setMembership(deps.db, { userId: owner.id, organizationId: org.id, role: "owner" }, now);
  const dashboardLink = signInLinkUrl(base, await createSignInLink(deps.db, owner.id, now));
  const summary = [
    `Demo organization: ${org.name} (${org.id})`,
    `Dashboard:         ${dashboardLink}`,
    `                   (one-time link for ${DEMO_OWNER_EMAIL}: choose a password, then sign in at ${base}/dashboard)`,
    `Test secret key:   ${secret}`,
    `Demo checkout:     ${checkoutUrl(deps.config, session)}`,
    `Purchase link:     ${base}/price/${catalog.oneTimePrice.id}/purchase`,
    `Try the API:       curl -H "Authorization: ${secret}" ${base}/api/v1/products`,
  ];
  return { organizationId: org.id, secret, summary };
}
