import { hash } from "node:crypto";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Executor } from "../db/client.js";
import { apiKeys, organizations } from "../db/schema/index.js";
import { badRequest, panic } from "../lib/errors.js";
import { newId, randomToken } from "../lib/ids.js";

export type Organization = typeof organizations.$inferSelect;
export type ApiKeyRecord = typeof apiKeys.$inferSelect;

export function hashSecret(secret: string): string {
  // One-shot hashing: no Hash object per request (every API call hashes its key to look it up).
  return hash("sha256", secret, "hex");
}

export async function createOrganization(
  db: Executor,
  input: {
    name: string;
    allowedRedirectDomains?: string[];
    defaultCurrency?: string;
    addressLines?: string[];
    supportEmail?: string;
  },
  now: Date,
): Promise<Organization> {
  const [org] = await db
    .insert(organizations)
    .values({
      id: newId("organization"),
      name: input.name,
      allowedRedirectDomains: input.allowedRedirectDomains ?? [],
      defaultCurrency: input.defaultCurrency ?? "USD",
      addressLines: input.addressLines ?? [],
      supportEmail: input.supportEmail ?? null,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!org) panic("organization insert returned nothing");
  return org;
}

export async function getOrganization(db: Executor, id: string): Promise<Organization | undefined> {
  const [org] = await db.select().from(organizations).where(eq(organizations.id, id));
  return org;
}

export async function setAllowedRedirectDomains(
  db: Executor,
  id: string,
  domains: string[],
  now: Date,
): Promise<void> {
  await db
    .update(organizations)
    .set({ allowedRedirectDomains: domains, updatedAt: now })
    .where(eq(organizations.id, id));
  organizationCache.delete(id);
}

/** The seller's details printed on invoices and receipts and shown in the billing portal. */
export async function updateOrganizationProfile(
  db: Executor,
  id: string,
  profile: {
    name?: string;
    addressLines?: string[];
    supportEmail?: string | null;
    brandColor?: string | null;
    logoUrl?: string | null;
  },
  now: Date,
): Promise<Organization | undefined> {
  const [org] = await db
    .update(organizations)
    .set({ ...profile, updatedAt: now })
    .where(eq(organizations.id, id))
    .returning();
  organizationCache.delete(id);
  return org;
}

/**
 * Organizations are read on every checkout create and page view (redirect allow-list, merchant name) and
 * change rarely: a few seconds of staleness across processes is the price of skipping that round trip.
 */
const ORGANIZATION_CACHE_TTL_MS = 5_000;
const organizationCache = new Map<string, { org: Organization; expires: number }>();

export async function getOrganizationCached(db: Executor, id: string): Promise<Organization | undefined> {
  // Real time: the TTL bounds how stale this process's copy is against the database, whatever a test's clock says.
  const now = Date.now();
  const cached = organizationCache.get(id);
  if (cached && cached.expires > now) return cached.org;
  const org = await getOrganization(db, id);
  if (organizationCache.size > 10_000) organizationCache.clear();
  if (org) organizationCache.set(id, { org, expires: now + ORGANIZATION_CACHE_TTL_MS });
  return org;
}

/** Returns the secret once; only its hash is stored. */
export async function createApiKey(
  db: Executor,
  input: { organizationId: string; livemode: boolean; name?: string },
  now: Date,
): Promise<{ key: ApiKeyRecord; secret: string }> {
  const secret = `sk_${input.livemode ? "live" : "test"}_${randomToken(32)}`;
  const [key] = await db
    .insert(apiKeys)
    .values({
      id: newId("apiKey"),
      organizationId: input.organizationId,
      livemode: input.livemode,
      name: input.name ?? (input.livemode ? "Live secret key" : "Test secret key"),
      keyHash: hashSecret(secret),
      keyPrefix: secret.slice(0, 12),
      createdAt: now,
    })
    .returning();
  if (!key) panic("api key insert returned nothing");
  return { key, secret };
}

export async function findActiveKeyBySecret(db: Executor, secret: string): Promise<ApiKeyRecord | undefined> {
  const [key] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hashSecret(secret)), isNull(apiKeys.revokedAt)));
  return key;
}

/** The organization's keys of one mode, newest first (the secret is never stored: prefixes only). */
export async function listApiKeys(db: Executor, tenant: { organizationId: string; livemode: boolean }) {
  return db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.organizationId, tenant.organizationId), eq(apiKeys.livemode, tenant.livemode)))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}

/** The key, only if it is the organization's in that mode: another tenant's id finds nothing. */
export async function getApiKey(
  db: Executor,
  tenant: { organizationId: string; livemode: boolean },
  id: string,
): Promise<ApiKeyRecord | undefined> {
  const [key] = await db
    .select()
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.id, id),
        eq(apiKeys.organizationId, tenant.organizationId),
        eq(apiKeys.livemode, tenant.livemode),
      ),
    );
  return key;
}

/** The Postgres channel on which a revocation tells every Glade process to drop its cached key lookups. */
export const API_KEY_REVOCATIONS = "glade_api_key_revocations";

/**
 * Revokes the key (already revoked: nothing changes, revokedAt stays the first). Every process listening on
 * API_KEY_REVOCATIONS (deps.ts) forgets its cached lookups when this commits: NOTIFY is delivered at commit, so
 * a revocation inside a transaction takes effect with it, everywhere, and not before.
 */
export async function revokeApiKey(db: Executor, keyId: string, now: Date): Promise<void> {
  await db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)));
  await db.execute(sql`select pg_notify(${API_KEY_REVOCATIONS}, ${keyId})`);
  keyCache.clear();
}

/** Drops every cached key lookup of this process (a revocation anywhere, or a lost listening connection). */
export function forgetCachedApiKeys(): void {
  keyCache.clear();
}

/**
 * Hot-path cache of key lookups: the hash is the map key, so a secret is never held in memory. Revocations
 * clear it in every process at once (forgetCachedApiKeys); the TTL is only the fallback should a notification
 * be missed without the listening connection dropping.
 */
const KEY_CACHE_TTL_MS = 5_000;
const keyCache = new Map<string, { key: ApiKeyRecord | undefined; expires: number }>();

export async function authenticateSecret(db: Executor, secret: string): Promise<ApiKeyRecord | undefined> {
  const hash = hashSecret(secret);
  // Real time: a revocation must reach this cache within the TTL, whatever the app clock says.
  const now = Date.now();
  const cached = keyCache.get(hash);
  if (cached && cached.expires > now) return cached.key;
  const [key] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)));
  if (keyCache.size > 10_000) keyCache.clear();
  keyCache.set(hash, { key, expires: now + KEY_CACHE_TTL_MS });
  return key;
}

function hostAllowed(host: string, allowed: string[]): boolean {
  const h = host.toLowerCase();
  return allowed.some((domain) => {
    const d = domain.toLowerCase();
    return h === d || h.endsWith(`.${d}`);
  });
}

/**
 * Where Glade may send a customer back to (checkout success/cancel, the billing portal's return link): any
 * http(s) URL, or only the organization's allowed redirect domains when it lists some. Glade's own pages
 * (`publicUrl`) are always allowed.
 */
export async function checkRedirectUrls(
  db: Executor,
  organizationId: string,
  publicUrl: string,
  urls: string[],
): Promise<void> {
  const org = await getOrganizationCached(db, organizationId);
  const allowed = org?.allowedRedirectDomains ?? [];
  if (allowed.length === 0) return;
  const ownOrigin = new URL(publicUrl).origin;
  for (const url of urls) {
    if (new URL(url).origin === ownOrigin) continue;
    if (!hostAllowed(new URL(url).hostname, allowed)) {
      throw badRequest(
        `Redirect URL host ${new URL(url).hostname} is not in this organization's allowed redirect domains`,
      );
    }
  }
}
