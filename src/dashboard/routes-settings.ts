import {
  type ProcessorView,
  renderSettingsPage,
  type SettingsView,
} from "../../web/dashboard/settings-page.js";
import { recordAudit } from "../audit/index.js";
import type { AppDeps } from "../context/index.js";
import type { App } from "../http/types.js";
import {
  getOrganization,
  type Organization,
  setAllowedRedirectDomains,
  updateOrganizationProfile,
} from "../organizations/index.js";
import { describeConnection } from "../processors/index.js";
import type { Visitor } from "./access.js";
import { when } from "./format.js";
import { registerDashboardTeam } from "./routes-settings-team.js";
import {
  canChange,
  frameFor,
  messagePage,
  postingVisitor,
  viewingVisitor,
  visitorActor,
  visitorMerchant,
} from "./routes-visitor.js";
import { parseProfile, parseRedirectDomains } from "./settings-forms.js";

const PATH = "/dashboard/settings";
const NOTICES: Record<string, string> = {
  profile: "Business details saved.",
  domains: "Redirect domains saved.",
};

const auditedProfile = (org: Organization) => ({
  name: org.name,
  addressLines: org.addressLines,
  supportEmail: org.supportEmail,
  brandColor: org.brandColor,
  logoUrl: org.logoUrl,
});

/** What the page shows of the mode's connection: the publishable key's start, never a secret or its hint. */
async function processorView(deps: AppDeps, visitor: Visitor): Promise<ProcessorView> {
  const connection = await describeConnection(deps, visitorMerchant(visitor));
  if (!connection) return { connected: false };
  return {
    connected: true,
    accountId: connection.accountId,
    publishableKeyPrefix: connection.publishableKey.slice(0, 12),
    since: when(new Date(connection.updatedAt)),
    webhookUrl: connection.webhookUrl,
  };
}

async function settingsPage(
  deps: AppDeps,
  visitor: Visitor,
  org: Organization,
  override: Partial<SettingsView> = {},
) {
  return renderSettingsPage(await frameFor(deps, visitor, PATH), {
    canChange: canChange(visitor),
    notice: null,
    profile: {
      name: org.name,
      addressLines: org.addressLines.join("\n"),
      supportEmail: org.supportEmail ?? "",
      brandColor: org.brandColor ?? "",
      logoUrl: org.logoUrl ?? "",
    },
    profileErrors: {},
    domains: org.allowedRedirectDomains.join("\n"),
    domainsError: null,
    processor: await processorView(deps, visitor),
    ...override,
  });
}

/** Settings: business details and redirect domains (owners and admins change them), the processor, the team. */
export function registerDashboardSettings(app: App, deps: AppDeps): void {
  app.get(PATH, async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    // Read past the cache: the page just after a save must show what was saved.
    const org = await getOrganization(deps.db, visitor.session.organizationId);
    if (!org) return messagePage(c, 404, "Not found", "This organization no longer exists.");
    const notice = NOTICES[c.req.query("saved") ?? ""] ?? null;
    return c.html(await settingsPage(deps, visitor, org, { notice }));
  });

  app.post(`${PATH}/profile`, async (c) => {
    const posted = await postingVisitor(c, deps, "admin");
    if (posted instanceof Response) return posted;
    const { visitor, form } = posted;
    const merchant = visitorMerchant(visitor);
    const parsed = parseProfile(form);
    const now = deps.now();
    const outcome = await deps.db.transaction(async (tx) => {
      const before = await getOrganization(tx, merchant.organizationId);
      if (!before || !parsed.ok) return { before };
      const after = await updateOrganizationProfile(tx, merchant.organizationId, parsed.value, now);
      if (!after) return { before: undefined };
      await recordAudit(
        tx,
        merchant,
        {
          actor: visitorActor(visitor),
          action: "organization.profile_updated",
          objectType: "organization",
          objectId: before.id,
          before: auditedProfile(before),
          after: auditedProfile(after),
        },
        now,
      );
      return { before };
    });
    if (!outcome.before) return messagePage(c, 404, "Not found", "This organization no longer exists.");
    if (!parsed.ok) {
      const profile = {
        name: form.name ?? "",
        addressLines: form.addressLines ?? "",
        supportEmail: form.supportEmail ?? "",
        brandColor: form.brandColor ?? "",
        logoUrl: form.logoUrl ?? "",
      };
      return c.html(
        await settingsPage(deps, visitor, outcome.before, { profile, profileErrors: parsed.errors }),
        400,
      );
    }
    return c.redirect(`${PATH}?saved=profile`, 303);
  });

  app.post(`${PATH}/redirect-domains`, async (c) => {
    const posted = await postingVisitor(c, deps, "admin");
    if (posted instanceof Response) return posted;
    const { visitor, form } = posted;
    const merchant = visitorMerchant(visitor);
    const parsed = parseRedirectDomains(form.domains ?? "");
    const now = deps.now();
    const before = await deps.db.transaction(async (tx) => {
      const org = await getOrganization(tx, merchant.organizationId);
      if (!org || !parsed.ok) return org;
      await setAllowedRedirectDomains(tx, org.id, parsed.value, now);
      await recordAudit(
        tx,
        merchant,
        {
          actor: visitorActor(visitor),
          action: "organization.redirect_domains_updated",
          objectType: "organization",
          objectId: org.id,
          before: { allowedRedirectDomains: org.allowedRedirectDomains },
          after: { allowedRedirectDomains: parsed.value },
        },
        now,
      );
      return org;
    });
    if (!before) return messagePage(c, 404, "Not found", "This organization no longer exists.");
    if (!parsed.ok) {
      return c.html(
        await settingsPage(deps, visitor, before, {
          domains: form.domains ?? "",
          domainsError: parsed.errors.domains ?? null,
        }),
        400,
      );
    }
    return c.redirect(`${PATH}?saved=domains`, 303);
  });

  registerDashboardTeam(app, deps);
}
