import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { eq } from "drizzle-orm";
import { organizations } from "../db/schema/index.js";
import type { AppDeps } from "../http/types.js";
import { authenticateSecret, createApiKey, createOrganization } from "../organizations/service.js";

export const DEMO_ORG_NAME = "Glade Demo Store";

type DemoCredentials = { organizationId: string; testSecretKey: string };

/**
 * Creates the demo merchant once and remembers its test key next to the embedded data dir, so every
 * `npm start` can print a working key (the database only keeps the key's hash).
 */
export async function seedDemo(
  deps: AppDeps,
): Promise<{ organizationId: string; secret: string; summary: string[] }> {
  const credentialsFile = join(dirname(deps.config.dataDir), "demo-credentials.json");
  let [org] = await deps.db
    .select()
    .from(organizations)
    .where(eq(organizations.name, DEMO_ORG_NAME))
    .limit(1);
  if (!org) org = await createOrganization(deps.db, { name: DEMO_ORG_NAME });
  let secret: string | undefined;
  if (existsSync(credentialsFile)) {
    const saved = JSON.parse(readFileSync(credentialsFile, "utf8")) as DemoCredentials;
    if (saved.organizationId === org.id && (await authenticateSecret(deps.db, saved.testSecretKey)))
      secret = saved.testSecretKey;
  }
  if (!secret) {
    secret = (await createApiKey(deps.db, { organizationId: org.id, livemode: false, name: "Demo test key" }))
      .secret;
    mkdirSync(dirname(credentialsFile), { recursive: true });
    writeFileSync(
      credentialsFile,
      JSON.stringify({ organizationId: org.id, testSecretKey: secret }, null, 2),
      { mode: 0o600 },
    );
  }
  const summary = [`Demo organization: ${org.name} (${org.id})`, `Test secret key:   ${secret}`];
  return { organizationId: org.id, secret, summary };
}
